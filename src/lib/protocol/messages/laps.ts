/** TRACK (the actor's track, once per session) and LAP (one completed lap with its trace). */
import { assertWithin, type Body, type Fields } from '../body.ts';
import { bytesOf } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import {
	LAP_TRACE_COLUMNS,
	MAX_LAP_MS,
	MAX_SECTORS,
	MAX_SPEED_KMH,
	MAX_TYRES_OUT,
	MessageType,
	U32_MAX,
	type LapReport,
	type LapTrace,
	type TrackDescription
} from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

/** Longest lap a TRACK may describe, m (the Nordschleife is 20.8 km). */
const MAX_TRACK_LENGTH_M = 100_000;
const MAX_HALF_WIDTH_M = 100;
const MAX_TRACE_HZ = 100;

function inRange(b: Body, key: string, low: number, high: number, lowOpen = false): number {
	const value = b.num(key);
	if (!(lowOpen ? value > low : value >= low) || !(value <= high))
		fail(ErrorCode.INVALID_FIELD, `${b.path(key)} = ${value} must be in ${lowOpen ? '(' : '['}${low}, ${high}]`);
	return value;
}

function coordinates(b: Body, key: string, n: number): Float32Array {
	const values = b.f32(key, n);
	assertWithin(values, b.limits.maxAbsObs, b.path(key), 'maxAbsObs');
	return values;
}

export const trackCodec: BodyCodec<TrackDescription> = {
	encode: (m) => ({ name: m.name, lengthM: m.lengthM, halfWidthM: m.halfWidthM, n: m.x.length, x: bytesOf(m.x), z: bytesOf(m.z), sectors: m.sectors }),
	decode: (b) => {
		const name = b.str('name');
		if (name.trim() === '') fail(ErrorCode.INVALID_FIELD, `${b.path('name')} is empty`);
		const n = b.int('n', 3, b.limits.maxTrackPoints);
		const sectors = b.numbers('sectors', MAX_SECTORS - 1);
		sectors.forEach((s, i) => {
			if (!(s > (i === 0 ? 0 : sectors[i - 1]) && s < 1))
				fail(ErrorCode.INVALID_FIELD, `${b.path('sectors')} must ascend within (0, 1), got ${JSON.stringify(sectors)}`);
		});
		return {
			type: MessageType.TRACK,
			name,
			lengthM: inRange(b, 'lengthM', 0, MAX_TRACK_LENGTH_M, true),
			halfWidthM: inRange(b, 'halfWidthM', 0, MAX_HALF_WIDTH_M, true),
			x: coordinates(b, 'x', n),
			z: coordinates(b, 'z', n),
			sectors
		};
	}
};

function encodeTrace(trace: LapTrace): Fields {
	const fields: Fields = { hz: trace.hz, n: trace.n };
	for (const key of LAP_TRACE_COLUMNS) fields[key] = bytesOf(trace[key]);
	if (trace.tyresOut) fields.tyresOut = bytesOf(trace.tyresOut);
	return fields;
}

/** The optional `tyresOut` column: bin u8[n], one byte per sample, each 0 … MAX_TYRES_OUT. */
function tyresOut(b: Body, n: number): Uint8Array {
	const values = new Uint8Array(b.bin('tyresOut', n)); // a plain, owned copy (msgpackr hands out a view)
	const bad = values.findIndex((v) => v > MAX_TYRES_OUT);
	if (bad >= 0) fail(ErrorCode.INVALID_FIELD, `${b.path('tyresOut')}[${bad}] = ${values[bad]} is not in [0, ${MAX_TYRES_OUT}]`);
	return values;
}

function decodeTrace(b: Body): LapTrace {
	const hz = inRange(b, 'hz', 0, MAX_TRACE_HZ, true);
	const n = b.int('n', 1, b.limits.maxTracePoints);
	const trace = { hz, n } as LapTrace;
	for (const key of LAP_TRACE_COLUMNS) trace[key] = coordinates(b, key, n);
	for (let i = 0; i < n; i++) {
		if (!(trace.speedKmh[i] >= 0 && trace.speedKmh[i] <= MAX_SPEED_KMH))
			fail(ErrorCode.INVALID_FIELD, `${b.path('speedKmh')}[${i}] = ${trace.speedKmh[i]} is not in [0, ${MAX_SPEED_KMH}]`);
	}
	if (b.has('tyresOut')) trace.tyresOut = tyresOut(b, n);
	return trace;
}

export const lapCodec: BodyCodec<LapReport> = {
	encode: ({ type: _type, trace, ...fields }) => (trace ? { ...fields, trace: encodeTrace(trace) } : fields),
	decode: (b) => {
		const timeMs = b.int('timeMs', 1, MAX_LAP_MS);
		const sectorsMs = b.numbers('sectorsMs', MAX_SECTORS);
		const sum = sectorsMs.reduce((total, s) => total + s, 0);
		// Each sector time is rounded to the ms on its own: the sum may be off by one per sector.
		if (sectorsMs.some((s) => s < 0) || (sectorsMs.length > 0 && Math.abs(sum - timeMs) > sectorsMs.length)) {
			fail(ErrorCode.INVALID_FIELD, `${b.path('sectorsMs')} ${JSON.stringify(sectorsMs)} must be ≥ 0 and add up to timeMs ${timeMs}`);
		}
		return {
			type: MessageType.LAP,
			episodeId: b.int('episodeId'),
			lap: b.int('lap', 1, U32_MAX),
			timeMs,
			clean: b.bool('clean'),
			sectorsMs,
			maxSpeedKmh: inRange(b, 'maxSpeedKmh', 0, MAX_SPEED_KMH),
			policyVersion: b.int('policyVersion', 0, U32_MAX),
			...(b.has('evalId') ? { evalId: b.int('evalId', 1, U32_MAX) } : {}),
			...(b.has('trace') ? { trace: decodeTrace(b.map('trace')) } : {})
		};
	}
};
