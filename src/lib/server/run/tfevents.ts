/**
 * TensorBoard event files, written directly: TFRecord framing (length, masked CRC-32C of the
 * length, payload, masked CRC-32C of the payload) around hand-encoded `tensorflow.Event` protobufs
 * holding scalar summaries. `tensorboard --logdir runs` reads them.
 *
 * Resuming after a crash: every writer (one per process) starts a new file whose name sorts after
 * every event file already in the directory, since TensorBoard reads a run's files in name order.
 * The crashed process may have logged past the checkpoint the run resumes from; those points are
 * orphans. `sessionStart(S)` logs a SessionLog START at step S, upon which TensorBoard's Python
 * loaders drop every point loaded before with step >= S, in every tag (only for runs whose files
 * declare `brain.Event:2`, as these do). The one the server uses (plugin_event_accumulator.py,
 * since TensorBoard 2.5) ignores a run's first START as its initial start, so sessionStart logs
 * two; the legacy event_accumulator.py purges on each, harmlessly twice.
 * Pass S = the checkpoint's last step + 1, the first step the resumed run may write: the purge
 * keeps steps < S, and the resumed run must write nothing below S (its points would sit among the
 * kept ones). The Rust loader (`--load_fast`, the default where available) ignores SessionLog;
 * per tag, a point at step s drops that tag's points loaded before with step >= s, so there
 * orphans stay only in tags that the resumed run never writes again.
 */
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

const CRC32C_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

export function crc32c(bytes: Uint8Array): number {
	let crc = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 and add a constant. */
export function maskedCrc32c(bytes: Uint8Array): number {
	const crc = crc32c(bytes);
	return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** Minimal protobuf writer: varints, fixed64 doubles, fixed32 floats, length-delimited bytes. */
class Proto {
	private readonly parts: number[] = [];

	private varint(value: number): void {
		let v = BigInt(value);
		do {
			let byte = Number(v & 0x7fn);
			v >>= 7n;
			if (v > 0n) byte |= 0x80;
			this.parts.push(byte);
		} while (v > 0n);
	}

	private key(field: number, wireType: number): void {
		this.varint(field * 8 + wireType);
	}

	double(field: number, value: number): this {
		this.key(field, 1);
		const b = new Uint8Array(8);
		new DataView(b.buffer).setFloat64(0, value, true);
		this.parts.push(...b);
		return this;
	}

	float(field: number, value: number): this {
		this.key(field, 5);
		const b = new Uint8Array(4);
		new DataView(b.buffer).setFloat32(0, value, true);
		this.parts.push(...b);
		return this;
	}

	int(field: number, value: number): this {
		this.key(field, 0);
		this.varint(value);
		return this;
	}

	bytes(field: number, value: Uint8Array): this {
		this.key(field, 2);
		this.varint(value.length);
		this.parts.push(...value);
		return this;
	}

	string(field: number, value: string): this {
		return this.bytes(field, new TextEncoder().encode(value));
	}

	finish(): Uint8Array {
		return Uint8Array.from(this.parts);
	}
}

function record(payload: Uint8Array): Uint8Array {
	const out = new Uint8Array(payload.length + 16);
	const view = new DataView(out.buffer);
	view.setBigUint64(0, BigInt(payload.length), true);
	view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
	out.set(payload, 12);
	view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
	return out;
}

// tensorflow.Event (tensorflow/core/util/event.proto): wall_time = 1 (double), step = 2 (int64),
// file_version = 3 (string), summary = 5 (Summary), session_log = 7 (SessionLog; 6 is log_message).
// Summary.value = 1 (repeated Value); Value.tag = 1, simple_value = 2 (float).
// SessionLog.status = 1 (enum: STATUS_UNSPECIFIED 0, START 1, STOP 2, CHECKPOINT 3).
export const SESSION_START = 1;

function eventStep(step: number): number {
	return Math.max(0, Math.round(step));
}

function scalarsEvent(step: number, wallTime: number, scalars: Record<string, number>): Uint8Array {
	const summary = new Proto();
	for (const [tag, value] of Object.entries(scalars)) {
		if (Number.isFinite(value)) summary.bytes(1, new Proto().string(1, tag).float(2, value).finish());
	}
	return new Proto().double(1, wallTime).int(2, eventStep(step)).bytes(5, summary.finish()).finish();
}

const EVENT_FILE = /^events\.out\.tfevents\.(\d+)\./;
const eventFileName = (secs: number) => `events.out.tfevents.${secs}.${hostname()}.pitwall`;

export class EventFileWriter {
	readonly path: string;

	constructor(dir: string) {
		// The name sorts after the directory's event files (a writer in the same second, an earlier
		// clock); never an existing file's name ('wx': a second writer must not truncate the first).
		const last = readdirSync(dir)
			.filter((f) => EVENT_FILE.test(f))
			.sort()
			.at(-1);
		let secs = Math.max(Math.floor(Date.now() / 1000), last ? Number(EVENT_FILE.exec(last)![1]) : 0);
		for (let bump = 0; last && eventFileName(secs) <= last && bump < 2; bump++) secs++;
		while (existsSync(join(dir, eventFileName(secs)))) secs++;
		this.path = join(dir, eventFileName(secs));
		writeFileSync(
			this.path,
			record(
				new Proto()
					.double(1, Date.now() / 1000)
					.string(3, 'brain.Event:2')
					.finish()
			),
			{ flag: 'wx' }
		);
	}

	/**
	 * Appends a SessionLog START at `step`, twice (see the file comment): after a resume, TensorBoard
	 * drops the points the crashed process logged at steps >= `step`. Pass the checkpoint's last
	 * step + 1, before the resumed run's first scalars.
	 */
	sessionStart(step: number, wallTimeMs = Date.now()): void {
		const start = record(
			new Proto()
				.double(1, wallTimeMs / 1000)
				.int(2, eventStep(step))
				.bytes(7, new Proto().int(1, SESSION_START).finish())
				.finish()
		);
		appendFileSync(this.path, Buffer.concat([start, start]));
	}

	/** Appends one event with every finite scalar under its tag. */
	scalars(step: number, values: Record<string, number>, wallTimeMs = Date.now()): void {
		appendFileSync(this.path, record(scalarsEvent(step, wallTimeMs / 1000, values)));
	}
}
