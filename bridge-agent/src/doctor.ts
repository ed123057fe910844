/**
 * doctor: one screen that says what is wrong. With --source ac (Windows) it checks AC's pages,
 * vJoy, the axis echo and the reset (which method works: the in-game CSP app or the buttons); with --source shm the same page, echo and reset checks
 * run against a sim-host process; with --source sim the in-process car. Then the control timing
 * (the rate and jitter the run's stepper achieves at --control-hz, with the timer resolution the
 * run raises on Windows), the learner, the token and the protocol version. It says which checks
 * it cannot run on this OS. A warning (!) is reported and does not fail.
 */
import WebSocket from 'ws';
import { controlChecks, type Check, type Result } from './doctor-controls.ts';
import { Decoder, MessageType, PROTOCOL_VERSION, encodeMessage } from '../../src/lib/protocol/index.ts';
import { STATUS_NAMES, smVersionProblem } from './ac/layout.ts';
import type { ResetMethod } from './ac/reset.ts';
import { ResetChannel, defaultResetDir } from './ac/reset-channel.ts';
import { RESET_TIMELINE_MS, SIM_HOST_RESET_MS } from './ac-world.ts';
import { Track } from './driving/track.ts';
import { driveSpecs } from './rl/spaces.ts';
import { learnerUrls } from './args.ts';
import { raiseSystemTimerResolution } from './control/timer-resolution.ts';
import { measureTiming, timingVerdict } from './control/timing-check.ts';
import { SimWorld } from './sim/sim-world.ts';
import { FileControlDevice, controlPath } from './sinks/file-control.ts';
import { AcReader } from './sources/ac-reader.ts';
import { FileMapper } from './sources/file-mapper.ts';
import type { PageMapper } from './sources/page-mapper.ts';

const MARK: Record<Result, string> = { ok: '✔', warn: '!', fail: '✖', skip: '–' };

function line(result: Result, what: string, detail: string): void {
	process.stdout.write(`${MARK[result]} ${what.padEnd(28)} ${detail}\n`);
}

async function learnerCheck(url: string, token: string): Promise<[Result, string]> {
	return new Promise((resolve) => {
		const socket = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: 3000 });
		const decoder = new Decoder();
		const done = (result: Result, detail: string) => {
			socket.terminate();
			resolve([result, detail]);
		};
		socket.on('unexpected-response', (_req, res) => done('fail', res.statusCode === 401 ? 'token refused (HTTP 401)' : `HTTP ${res.statusCode}`));
		socket.on('error', (error) => done('fail', `unreachable: ${error.message}`));
		socket.on('open', () => {
			socket.send(
				encodeMessage({
					type: MessageType.HANDSHAKE,
					protocolVersion: PROTOCOL_VERSION,
					token,
					actorId: `doctor-${process.pid}`,
					actorName: 'doctor',
					mode: 'local',
					controlHz: 20,
					...driveSpecs(),
					source: 'doctor',
					agentVersion: 'doctor'
				})
			);
		});
		socket.on('message', (data: Buffer) => {
			const message = decoder.decode(new Uint8Array(data));
			if (message.type === MessageType.HANDSHAKE_ACCEPT)
				done('ok', `reachable, token accepted, protocol ${message.protocolVersion}, run ${message.runId}, policy v${message.policyVersion}`);
			else if (message.type === MessageType.ERROR) done('fail', `${message.code}: ${message.message}`);
		});
	});
}

export async function runDoctor(values: Record<string, string>): Promise<number> {
	let failures = 0;
	const check: Check = (result, what, detail) => {
		if (result === 'fail') failures++;
		line(result, what, detail);
	};
	if (values.source === 'shm') await shmChecks(values, check);
	else if (values.source === 'ac' && process.platform === 'win32') await windowsChecks(values, check);
	else {
		await simChecks(values, check);
		if (process.platform !== 'win32') {
			line('skip', 'AC shared memory', 'Windows only: run doctor on the PC beside Assetto Corsa (here: --source shm against a sim-host)');
			line('skip', 'vJoy device', 'Windows only (vJoyInterface.dll)');
		}
	}
	await timingChecks(values, check);
	for (const url of learnerUrls(values.learner)) {
		const [result, detail] = await learnerCheck(url, values.token);
		check(result, 'learner', `${url}: ${detail}`);
	}
	process.stdout.write(failures ? `\n${failures} check(s) failed\n` : '\nall checks passed\n');
	return failures ? 1 : 0;
}

/**
 * The timer resolution a run raises (Windows) and the control rate and jitter the run's stepper
 * achieves at --control-hz over --timing-seconds, with that resolution.
 */
async function timingChecks(values: Record<string, string>, check: Check): Promise<void> {
	const hz = Number(values['control-hz'] ?? 20);
	const seconds = Number(values['timing-seconds'] ?? 3);
	const timer = await raiseSystemTimerResolution();
	try {
		if (process.platform === 'win32') check(timer.raised ? 'ok' : 'warn', 'timer resolution', timer.detail);
		if (seconds <= 0) return line('skip', 'control timing', 'not measured (--timing-seconds 0)');
		const { result, detail } = timingVerdict(await measureTiming(hz, seconds), timer.detail);
		check(result, 'control timing', detail);
	} finally {
		timer.release();
	}
}

/** The in-process simulated car: pages, packetId, throttle echo, reset. */
async function simChecks(values: Record<string, string>, check: Check): Promise<void> {
	const world = new SimWorld(Track.named(values.track), 1);
	const first = world.reader.read();
	world.apply({ steer: 0, throttle: 1, brake: 0 });
	for (let i = 0; i < 4; i++) world.advance(0.05); // 200 ms of throttle
	const after = world.reader.read();
	check(first.graphics.status === 2 ? 'ok' : 'fail', 'sim pages', `LIVE, track ${first.static.track}, car ${first.static.carModel}`);
	check(after.physics.packetId > first.physics.packetId ? 'ok' : 'fail', 'packetId advancing', `${first.physics.packetId} → ${after.physics.packetId}`);
	check(
		after.physics.gas === 1 && after.physics.speedKmh > first.physics.speedKmh ? 'ok' : 'fail',
		'axis echo (throttle → gas)',
		`gas ${after.physics.gas.toFixed(2)} within 200 ms, speed ${after.physics.speedKmh.toFixed(1)} km/h`
	);
	const reset = await world.reset();
	check(reset && world.reader.read().physics.speedKmh === 0 ? 'ok' : 'fail', 'reset', 'car back at the start, at rest');
}

/** Pages through a mapper; undefined (after saying why) when they are absent. */
function openPages(mapper: () => PageMapper, what: string, check: Check): AcReader | undefined {
	try {
		return new AcReader(mapper());
	} catch (error) {
		check('fail', what, (error as Error).message);
		return undefined;
	}
}

/** Status, static info and packetId: the same for AC and a sim host. */
async function pageChecks(reader: AcReader, what: string, check: Check): Promise<void> {
	const first = reader.read();
	check(
		first.graphics.status === 2 ? 'ok' : 'fail',
		what,
		`status ${STATUS_NAMES[first.graphics.status] ?? first.graphics.status} (LIVE needed: be on track, not in a menu or replay)`
	);
	check(
		'ok',
		'session',
		`car ${first.static.carModel}, track ${first.static.track} (${first.static.trackSPlineLength.toFixed(0)} m), max rpm ${first.static.maxRpm}`
	);
	await new Promise((resolve) => setTimeout(resolve, 300));
	const later = reader.read();
	check(
		later.physics.packetId !== first.physics.packetId ? 'ok' : 'fail',
		'packetId advancing',
		`${first.physics.packetId} → ${later.physics.packetId} in 300 ms`
	);
}

/** A sim-host process through files: the AC code path, runnable on Linux. */
async function shmChecks(values: Record<string, string>, check: Check): Promise<void> {
	const dir = values['shm-dir'];
	const prefix = values['shm-prefix'];
	const reader = openPages(() => new FileMapper(dir, prefix), 'sim-host pages', check);
	if (!reader) return;
	await pageChecks(reader, 'sim-host pages', check);
	let device: FileControlDevice;
	try {
		device = new FileControlDevice(controlPath(dir, prefix));
	} catch (error) {
		check('fail', 'sim-host joystick', (error as Error).message);
		return;
	}
	check('ok', 'sim-host joystick', device.path);
	await controlChecks(reader, device, SIM_HOST_RESET_MS, check);
}

/**
 * AC pages, version, packetId, static info, vJoy (where it is, free, acquired), axis echo and
 * reset — on the PC beside AC. vJoy is checked even when AC is not running, so one run of doctor
 * names everything that is wrong.
 */
async function windowsChecks(values: Record<string, string>, check: Check): Promise<void> {
	const { Win32Mapper } = await import('./sources/win32-mapper.ts');
	const { VJoyDevice, findVJoyDll, loadVJoy } = await import('./sinks/vjoy-sink.ts');
	const reader = openPages(() => new Win32Mapper(), 'AC shared memory', check);
	let pagesOk = false;
	if (reader) {
		const version = reader.readStatic();
		const problem = smVersionProblem(version.smVersion);
		check(problem ? 'fail' : 'ok', 'AC version', problem || `shared memory ${version.smVersion}, AC ${version.acVersion || '?'}`);
		if (!problem) {
			await pageChecks(reader, 'AC pages', check);
			pagesOk = true;
		}
	}
	const id = Number(values['vjoy-device'] ?? 1);
	const choice = await findVJoyDll(values['vjoy-dll'] ?? '');
	let device: InstanceType<typeof VJoyDevice>;
	try {
		device = new VJoyDevice(loadVJoy(choice), id);
	} catch (error) {
		check('fail', 'vJoy DLL', (error as Error).message);
		reader?.close();
		return;
	}
	check('ok', 'vJoy DLL', `${choice.path} (${choice.how})`);
	const problem = device.status();
	check(
		problem ? 'fail' : 'ok',
		'vJoy device',
		problem ? `${problem} — in Configure vJoy enable device ${id} with X/Y/Z/RZ and 12 buttons` : `device ${id} free`
	);
	if (problem || !reader || !pagesOk) {
		reader?.close();
		return;
	}
	try {
		device.acquire();
	} catch (error) {
		check('fail', 'vJoy acquired', (error as Error).message);
		reader.close();
		return;
	}
	check('ok', 'vJoy acquired', `device ${device.id}, set neutral`);
	const method = (values.reset ?? 'auto') as ResetMethod;
	const channel = method === 'buttons' ? undefined : new ResetChannel(values['reset-dir'] || defaultResetDir());
	await controlChecks(reader, device, RESET_TIMELINE_MS, check, { method, channel });
}
