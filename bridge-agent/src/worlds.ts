/**
 * The World for each --source: the in-process sim, Assetto Corsa (Windows: shared memory + vJoy,
 * loaded lazily so koffi is only needed there), or a sim-host process through files.
 */
import { existsSync, readFileSync } from 'node:fs';
import { AcWorld, SIM_HOST_RESET_MS } from './ac-world.ts';
import { UsageError, number } from './args.ts';
import { TRACKS, Track } from './driving/track.ts';
import { SimWorld } from './sim/sim-world.ts';
import { GuardedSink } from './sinks/control-sink.ts';
import { FileControlDevice, controlPath } from './sinks/file-control.ts';
import { AcReader } from './sources/ac-reader.ts';
import { FileMapper } from './sources/file-mapper.ts';
import type { World } from './world.ts';

export async function makeWorld(values: Record<string, string>, seed: number, withControls = true): Promise<World> {
	if (values.source === 'sim') return new SimWorld(Track.named(values.track), seed, values.start as 'line' | 'random');
	if (values.source === 'shm') return shmWorld(values);
	if (process.platform !== 'win32') throw new UsageError('--source ac needs Windows (AC shared memory and vJoy); use --source sim or shm here');
	const { Win32Mapper } = await import('./sources/win32-mapper.ts');
	const reader = new AcReader(new Win32Mapper()); // throws AcNotRunningError when AC is not running
	let track: Track;
	if (existsSync(values.line)) track = loadLine(values.line);
	else if (withControls)
		throw new UsageError(`no track line at ${values.line}: record one first with \`bridge-agent record-line --source ac --out ${values.line}\``);
	else track = Track.named('oval'); // record-line only needs telemetry
	const { VJoyDevice, loadVJoy } = await import('./sinks/vjoy-sink.ts');
	const device = new VJoyDevice(loadVJoy(), number(values, 'vjoy-device', 1, 16));
	if (withControls) device.acquire();
	return new AcWorld(reader, track, new GuardedSink(device));
}

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
