/**
 * The World for each --source: the in-process sim, Assetto Corsa (Windows: shared memory + vJoy,
 * loaded lazily so koffi is only needed there), or a sim-host process through files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { smVersionProblem } from './ac/layout.ts';
import type { ResetMethod } from './ac/reset.ts';
import { ResetChannel, defaultResetDir } from './ac/reset-channel.ts';
import { AcWorld, RESET_TIMELINE_MS, SIM_HOST_RESET_MS } from './ac-world.ts';
import { UsageError, number } from './args.ts';
import { TRACKS, Track } from './driving/track.ts';
import { SimWorld } from './sim/sim-world.ts';
import { GuardedSink, type ControlDevice } from './sinks/control-sink.ts';
import { FileControlDevice, controlPath } from './sinks/file-control.ts';
import { AcReader } from './sources/ac-reader.ts';
import { FileMapper } from './sources/file-mapper.ts';
import { AcPagesError, SetupError } from './sources/page-mapper.ts';
import type { World } from './world.ts';

export async function makeWorld(values: Record<string, string>, seed: number, withControls = true): Promise<World> {
	if (values.source === 'sim') return new SimWorld(Track.named(values.track), seed, values.start as 'line' | 'random');
	if (values.source === 'shm') return shmWorld(values);
	if (process.platform !== 'win32') throw new UsageError('--source ac needs Windows (AC shared memory and vJoy); use --source sim or shm here');
	const { Win32Mapper } = await import('./sources/win32-mapper.ts');
	const reader = new AcReader(new Win32Mapper()); // throws AcNotRunningError when AC is not running
	const problem = smVersionProblem(reader.readStatic().smVersion);
	if (problem) {
		reader.close();
		throw new AcPagesError(problem);
	}
	let track: Track;
	if (existsSync(values.line)) track = loadLine(values.line);
	else if (withControls)
		throw new UsageError(`no track line at ${values.line}: record one first with \`bridge-agent record-line --source ac --out ${values.line}\``);
	else track = Track.named('oval'); // record-line only needs telemetry
	// record-line only reads: it needs no vJoy at all (it runs before vJoy is bound in AC).
	if (!withControls) return new AcWorld(reader, track, new GuardedSink(NO_CONTROLS), RESET_TIMELINE_MS, 'none (telemetry only)');
	const { VJoyDevice, findVJoyDll, loadVJoy } = await import('./sinks/vjoy-sink.ts');
	const choice = await findVJoyDll(values['vjoy-dll'] ?? '');
	let device: InstanceType<typeof VJoyDevice>;
	try {
		device = new VJoyDevice(loadVJoy(choice), number(values, 'vjoy-device', 1, 16));
		device.acquire();
	} catch (error) {
		reader.close();
		throw new SetupError(`vJoy: ${(error as Error).message}`);
	}
	const method = values.reset as ResetMethod;
	const channel = method === 'buttons' ? undefined : new ResetChannel(values['reset-dir'] || defaultResetDir());
	const controls = `vJoy device ${device.id}, ${choice.path} (${choice.how}); reset ${method}${channel ? ` (${channel.requestPath})` : ''}`;
	return new AcWorld(reader, track, new GuardedSink(device), RESET_TIMELINE_MS, controls, Date.now, method, channel);
}

/** A control device that drives nothing (record-line: the user drives). */
const NO_CONTROLS: ControlDevice = { write: () => {}, press: async () => {}, close: () => {} };

function loadLine(path: string): Track {
	const line = JSON.parse(readFileSync(path, 'utf8'));
	return Track.fromPoints(line.name, line.halfWidth, line.points);
}

/** A sim-host process through shared memory: the AC code path (pages, joystick, button reset). */
function shmWorld(values: Record<string, string>): World {
	const reader = new AcReader(new FileMapper(values['shm-dir'], values['shm-prefix']));
	const name = reader.readStatic().track;
	const track = name in TRACKS ? Track.named(name) : existsSync(values.line) ? loadLine(values.line) : undefined;
	if (!track) throw new UsageError(`track "${name}" is not built in and there is no line at ${values.line}`);
	const device = new FileControlDevice(controlPath(values['shm-dir'], values['shm-prefix']));
	return new AcWorld(reader, track, new GuardedSink(device), SIM_HOST_RESET_MS);
}
