/**
 * A file-backed virtual joystick for the simulated car in another process (the Linux stand-in for
 * vJoy): the agent writes axes and buttons to <dir>/<prefix>-controls, the sim host reads them.
 *
 * Layout (little-endian, 20 bytes): i32 seq (advances on every write), f32 steer, f32 throttle,
 * f32 brake, u32 buttons (bit n−1 = button n held).
 */
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { NEUTRAL } from '../control/smoothing.ts';
import type { Controls } from '../driving/controls.ts';
import { AcNotRunningError } from '../sources/page-mapper.ts';
import type { ControlDevice } from './control-sink.ts';

export const CONTROL_BYTES = 20;

export interface ControlPage {
	seq: number;
	controls: Controls;
	buttons: number;
}

/** A button's bit in the page's `buttons` word (button n → bit n−1, as vJoy numbers them). */
export function buttonBit(button: number): number {
	return 1 << (button - 1);
}

export function controlPath(dir: string, prefix: string): string {
	return join(dir, `${prefix}-controls`);
}

export function encodeControlPage(page: ControlPage, into = new Uint8Array(CONTROL_BYTES)): Uint8Array {
	const view = new DataView(into.buffer, into.byteOffset, CONTROL_BYTES);
	view.setInt32(0, page.seq, true);
	view.setFloat32(4, page.controls.steer, true);
	view.setFloat32(8, page.controls.throttle, true);
	view.setFloat32(12, page.controls.brake, true);
	view.setUint32(16, page.buttons >>> 0, true);
	return into;
}

export function decodeControlPage(bytes: Uint8Array): ControlPage {
	const view = new DataView(bytes.buffer, bytes.byteOffset, CONTROL_BYTES);
	return {
		seq: view.getInt32(0, true),
		controls: { steer: view.getFloat32(4, true), throttle: view.getFloat32(8, true), brake: view.getFloat32(12, true) },
		buttons: view.getUint32(16, true)
	};
}

/** The agent's side: a ControlDevice like vJoy's, behind the same GuardedSink. */
export class FileControlDevice implements ControlDevice {
	private readonly fd: number;
	private readonly bytes = new Uint8Array(CONTROL_BYTES);
	private seq = 0;
	private buttons = 0;
	private controls: Controls = NEUTRAL;

	constructor(readonly path: string) {
		// The host creates the file, as AC owns its mappings: absent means the host is not running.
		if (!existsSync(path)) throw new AcNotRunningError(`sim host control file ${path}`);
		this.fd = openSync(path, 'r+');
	}

	private flush(): void {
		writeSync(this.fd, encodeControlPage({ seq: ++this.seq, controls: this.controls, buttons: this.buttons }, this.bytes), 0, CONTROL_BYTES, 0);
	}

	write(controls: Controls): void {
		this.controls = { ...controls };
		this.flush();
	}

	async press(button: number, ms: number): Promise<void> {
		this.buttons |= buttonBit(button);
		this.flush();
		await new Promise((resolve) => setTimeout(resolve, ms));
		this.buttons &= ~buttonBit(button);
		this.flush();
	}

	close(): void {
		this.controls = NEUTRAL;
		this.buttons = 0;
		try {
			this.flush();
		} finally {
			closeSync(this.fd);
		}
	}
}

/** The host's side: reads the latest control page. */
export class ControlReader {
	private readonly bytes = new Uint8Array(CONTROL_BYTES);

	constructor(private readonly fd: number) {}

	read(): ControlPage {
		readSync(this.fd, this.bytes, 0, CONTROL_BYTES, 0);
		return decodeControlPage(this.bytes);
	}
}
