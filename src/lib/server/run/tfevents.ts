/**
 * TensorBoard event files, written directly: TFRecord framing (length, masked CRC-32C of the
 * length, payload, masked CRC-32C of the payload) around hand-encoded `tensorflow.Event` protobufs
 * holding scalar summaries. `tensorboard --logdir runs` reads them.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
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

// tensorflow.Event: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
// summary = 5 (Summary). Summary.value = 1 (repeated Value); Value.tag = 1, simple_value = 2.
function scalarsEvent(step: number, wallTime: number, scalars: Record<string, number>): Uint8Array {
	const summary = new Proto();
	for (const [tag, value] of Object.entries(scalars)) {
		if (Number.isFinite(value)) summary.bytes(1, new Proto().string(1, tag).float(2, value).finish());
	}
	return new Proto()
		.double(1, wallTime)
		.int(2, Math.max(0, Math.round(step)))
		.bytes(5, summary.finish())
		.finish();
}

export class EventFileWriter {
	readonly path: string;

	constructor(dir: string) {
		this.path = join(dir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.pitwall`);
		writeFileSync(
			this.path,
			record(
				new Proto()
					.double(1, Date.now() / 1000)
					.string(3, 'brain.Event:2')
					.finish()
			)
		);
	}

	/** Appends one event with every finite scalar under its tag. */
	scalars(step: number, values: Record<string, number>, wallTimeMs = Date.now()): void {
		appendFileSync(this.path, record(scalarsEvent(step, wallTimeMs / 1000, values)));
	}
}
