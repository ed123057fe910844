/**
 * Assetto Corsa's shared-memory pages (little-endian, 4-byte packing), from Kunos' convention as
 * documented in ../../../../shared/reference/ac-facts.md. One table per page: field name → type and
 * byte offset. The reader parses these fields; the simulated car writes the same layout.
 */
export const PHYSICS_BYTES = 592;
/** AC 1.16 (smVersion 1.7): 304, with timeLimitSessionLeft and isEscMenuVisible at the end. */
export const GRAPHICS_BYTES = 304;
export const STATIC_BYTES = 684;
/**
 * AC creates all three mappings this long (0x250) and writes the 684-byte static page into its
 * view anyway (the page rounding holds it): map whole sections (size 0), never a struct size.
 */
export const MAPPING_BYTES = 592;

export const PAGE_NAMES = { physics: 'Local\\acpmf_physics', graphics: 'Local\\acpmf_graphics', static: 'Local\\acpmf_static' } as const;
export type PageName = keyof typeof PAGE_NAMES;
export const PAGE_BYTES: Record<PageName, number> = { physics: PHYSICS_BYTES, graphics: GRAPHICS_BYTES, static: STATIC_BYTES };

/** i32 / f32, an array of n of them, or a UTF-16 string of n code units. */
export type FieldType = 'i32' | 'f32' | { f32: number } | { wchar: number };
export type FieldTable = Record<string, [FieldType, number]>;

export const PHYSICS_FIELDS = {
	packetId: ['i32', 0],
	gas: ['f32', 4],
	brake: ['f32', 8],
	fuel: ['f32', 12],
	gear: ['i32', 16],
	rpms: ['i32', 20],
	steerAngle: ['f32', 24],
	speedKmh: ['f32', 28],
	velocity: [{ f32: 3 }, 32],
	accG: [{ f32: 3 }, 44],
	wheelSlip: [{ f32: 4 }, 56],
	wheelLoad: [{ f32: 4 }, 72],
	wheelsPressure: [{ f32: 4 }, 88],
	wheelAngularSpeed: [{ f32: 4 }, 104],
	tyreWear: [{ f32: 4 }, 120],
	tyreDirtyLevel: [{ f32: 4 }, 136],
	tyreCoreTemperature: [{ f32: 4 }, 152],
	camberRAD: [{ f32: 4 }, 168],
	suspensionTravel: [{ f32: 4 }, 184],
	drs: ['f32', 200],
	tc: ['f32', 204],
	heading: ['f32', 208],
	pitch: ['f32', 212],
	roll: ['f32', 216],
	cgHeight: ['f32', 220],
	carDamage: [{ f32: 5 }, 224],
	numberOfTyresOut: ['i32', 244],
	pitLimiterOn: ['i32', 248],
	abs: ['f32', 252],
	kersCharge: ['f32', 256],
	kersInput: ['f32', 260],
	autoShifterOn: ['i32', 264],
	rideHeight: [{ f32: 2 }, 268],
	turboBoost: ['f32', 276],
	ballast: ['f32', 280],
	airDensity: ['f32', 284],
	airTemp: ['f32', 288],
	roadTemp: ['f32', 292],
	localAngularVel: [{ f32: 3 }, 296],
	finalFF: ['f32', 308],
	performanceMeter: ['f32', 312],
	engineBrake: ['i32', 316],
	ersRecoveryLevel: ['i32', 320],
	ersPowerLevel: ['i32', 324],
	ersHeatCharging: ['i32', 328],
	ersIsCharging: ['i32', 332],
	kersCurrentKJ: ['f32', 336],
	drsAvailable: ['i32', 340],
	drsEnabled: ['i32', 344],
	brakeTemp: [{ f32: 4 }, 348],
	clutch: ['f32', 364],
	tyreTempI: [{ f32: 4 }, 368],
	tyreTempM: [{ f32: 4 }, 384],
	tyreTempO: [{ f32: 4 }, 400],
	isAIControlled: ['i32', 416],
	tyreContactPoint: [{ f32: 12 }, 420],
	tyreContactNormal: [{ f32: 12 }, 468],
	tyreContactHeading: [{ f32: 12 }, 516],
	brakeBias: ['f32', 564],
	localVelocity: [{ f32: 3 }, 568],
	P2PActivation: ['i32', 580],
	P2PStatus: ['i32', 584],
	currentMaxRpm: ['i32', 588]
} as const satisfies FieldTable;

export const GRAPHICS_FIELDS = {
	packetId: ['i32', 0],
	status: ['i32', 4],
	session: ['i32', 8],
	currentTime: [{ wchar: 15 }, 12],
	lastTime: [{ wchar: 15 }, 42],
	bestTime: [{ wchar: 15 }, 72],
	split: [{ wchar: 15 }, 102],
	completedLaps: ['i32', 132],
	position: ['i32', 136],
	iCurrentTime: ['i32', 140],
	iLastTime: ['i32', 144],
	iBestTime: ['i32', 148],
	sessionTimeLeft: ['f32', 152],
	distanceTraveled: ['f32', 156],
	isInPit: ['i32', 160],
	currentSectorIndex: ['i32', 164],
	lastSectorTime: ['i32', 168],
	numberOfLaps: ['i32', 172],
	tyreCompound: [{ wchar: 33 }, 176],
	replayTimeMultiplier: ['f32', 244],
	normalizedCarPosition: ['f32', 248],
	carCoordinates: [{ f32: 3 }, 252],
	penaltyTime: ['f32', 264],
	flag: ['i32', 268],
	idealLineOn: ['i32', 272],
	isInPitLane: ['i32', 276],
	surfaceGrip: ['f32', 280],
	mandatoryPitDone: ['i32', 284],
	windSpeed: ['f32', 288],
	windDirection: ['f32', 292],
	timeLimitSessionLeft: ['f32', 296],
	isEscMenuVisible: ['i32', 300]
} as const satisfies FieldTable;

export const STATIC_FIELDS = {
	smVersion: [{ wchar: 15 }, 0],
	acVersion: [{ wchar: 15 }, 30],
	numberOfSessions: ['i32', 60],
	numCars: ['i32', 64],
	carModel: [{ wchar: 33 }, 68],
	track: [{ wchar: 33 }, 134],
	playerName: [{ wchar: 33 }, 200],
	playerSurname: [{ wchar: 33 }, 266],
	playerNick: [{ wchar: 33 }, 332],
	sectorCount: ['i32', 400],
	maxTorque: ['f32', 404],
	maxPower: ['f32', 408],
	maxRpm: ['i32', 412],
	maxFuel: ['f32', 416],
	suspensionMaxTravel: [{ f32: 4 }, 420],
	tyreRadius: [{ f32: 4 }, 436],
	maxTurboBoost: ['f32', 452],
	penaltiesEnabled: ['i32', 464],
	aidFuelRate: ['f32', 468],
	aidTireRate: ['f32', 472],
	aidMechanicalDamage: ['f32', 476],
	aidAllowTyreBlankets: ['i32', 480],
	aidStability: ['f32', 484],
	aidAutoClutch: ['i32', 488],
	aidAutoBlip: ['i32', 492],
	hasDRS: ['i32', 496],
	hasERS: ['i32', 500],
	hasKERS: ['i32', 504],
	kersMaxJ: ['f32', 508],
	engineBrakeSettingsCount: ['i32', 512],
	ersPowerControllerCount: ['i32', 516],
	trackSPlineLength: ['f32', 520],
	trackConfiguration: [{ wchar: 33 }, 524],
	ersMaxJ: ['f32', 592],
	isTimedRace: ['i32', 596],
	hasExtraLap: ['i32', 600],
	carSkin: [{ wchar: 33 }, 604],
	reversedGridPositions: ['i32', 672],
	PitWindowStart: ['i32', 676],
	PitWindowEnd: ['i32', 680]
} as const satisfies FieldTable;

type ValueOf<T extends FieldType> = T extends 'i32' | 'f32' ? number : T extends { wchar: number } ? string : number[];
export type Page<T extends FieldTable> = { -readonly [K in keyof T]: ValueOf<T[K][0]> };
export type Physics = Page<typeof PHYSICS_FIELDS>;
export type Graphics = Page<typeof GRAPHICS_FIELDS>;
export type Static = Page<typeof STATIC_FIELDS>;

export const AcStatus = { OFF: 0, REPLAY: 1, LIVE: 2, PAUSE: 3 } as const;
export const STATUS_NAMES = ['OFF', 'REPLAY', 'LIVE', 'PAUSE'] as const;

/** The newest shared-memory version whose layout these tables describe (AC 1.16). */
export const MAX_SM_VERSION = '1.7';

/**
 * Why the pages cannot be read with these tables, or '' when they can. Assetto Corsa
 * Competizione publishes the same mapping names with another graphics layout (from offset 252)
 * and a newer smVersion (1.8 and later); an empty smVersion is a page nobody filled.
 */
export function smVersionProblem(smVersion: string): string {
	const match = /^(\d+)\.(\d+)/.exec(smVersion.trim());
	if (!match) return `the static page has no shared memory version (smVersion "${smVersion}"): not Assetto Corsa's pages`;
	const [major, minor] = [Number(match[1]), Number(match[2])];
	const [maxMajor, maxMinor] = MAX_SM_VERSION.split('.').map(Number);
	if (major > maxMajor || (major === maxMajor && minor > maxMinor))
		return `shared memory version ${smVersion} is newer than Assetto Corsa's (${MAX_SM_VERSION}): this is Assetto Corsa Competizione (or another game on AC's page names), whose layout differs; only Assetto Corsa is supported`;
	return '';
}

/** Parses a page's bytes into its fields. */
export function parsePage<T extends FieldTable>(fields: T, bytes: Uint8Array): Page<T> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out: Record<string, unknown> = {};
	for (const [name, [type, offset]] of Object.entries(fields)) {
		if (type === 'i32') out[name] = view.getInt32(offset, true);
		else if (type === 'f32') out[name] = view.getFloat32(offset, true);
		else if ('f32' in type) out[name] = Array.from({ length: type.f32 }, (_, i) => view.getFloat32(offset + 4 * i, true));
		else {
			let text = '';
			for (let i = 0; i < type.wchar; i++) {
				const unit = view.getUint16(offset + 2 * i, true);
				if (unit === 0) break;
				text += String.fromCharCode(unit);
			}
			out[name] = text;
		}
	}
	return out as Page<T>;
}

/** Writes the given fields of a page (the rest of `bytes` is left as is). */
export function writePage<T extends FieldTable>(fields: T, bytes: Uint8Array, values: Partial<Page<T>>): void {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (const [name, value] of Object.entries(values)) {
		const [type, offset] = fields[name];
		if (type === 'i32') view.setInt32(offset, value as number, true);
		else if (type === 'f32') view.setFloat32(offset, value as number, true);
		else if ('f32' in type) (value as number[]).slice(0, type.f32).forEach((v, i) => view.setFloat32(offset + 4 * i, v, true));
		else {
			const text = value as string;
			for (let i = 0; i < type.wchar; i++) view.setUint16(offset + 2 * i, i < text.length && i < type.wchar - 1 ? text.charCodeAt(i) : 0, true);
		}
	}
}

/**
 * A page reader that parses nothing up front: the returned object reads each field from the bytes
 * when accessed (getters on a shared prototype). The control loop touches a few dozen of the ~150
 * fields per step, so this is several times cheaper than parsePage. The bytes must not change
 * while the view is in use (AcReader hands out a fresh copy per snapshot).
 */
export function pageView<T extends FieldTable>(fields: T): (bytes: Uint8Array) => Page<T> {
	const proto: Record<string, unknown> = {};
	for (const [name, [type, offset]] of Object.entries(fields)) {
		let get: (this: { v: DataView }) => unknown;
		if (type === 'i32')
			get = function () {
				return this.v.getInt32(offset, true);
			};
		else if (type === 'f32')
			get = function () {
				return this.v.getFloat32(offset, true);
			};
		else if ('f32' in type) {
			const n = type.f32;
			get = function () {
				const out = new Array<number>(n);
				for (let i = 0; i < n; i++) out[i] = this.v.getFloat32(offset + 4 * i, true);
				return out;
			};
		} else {
			const n = type.wchar;
			get = function () {
				let text = '';
				for (let i = 0; i < n; i++) {
					const unit = this.v.getUint16(offset + 2 * i, true);
					if (unit === 0) break;
					text += String.fromCharCode(unit);
				}
				return text;
			};
		}
		Object.defineProperty(proto, name, { get, enumerable: true });
	}
	return (bytes) => {
		const view = Object.create(proto) as { v: DataView };
		view.v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		return view as unknown as Page<T>;
	};
}
