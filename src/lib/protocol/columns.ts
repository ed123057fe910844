/**
 * Column coding for batches. A column is n rows × d values of 4-byte words (float32 or uint32).
 *
 * - RAW (0): the words little-endian, row-major (row 0's d values, then row 1's, …).
 * - DELTA_SHUFFLE (1): for each of the d series (column-major), each word's bit pattern minus the
 *   previous word's in the same series (mod 2^32, the first word minus 0), zigzag-mapped
 *   ((x << 1) ^ (x >> 31)), then byte-shuffled: all the words' byte 0, then all byte 1, byte 2,
 *   byte 3. Lossless for any bit pattern (NaN payloads included). Smooth signals turn into runs of
 *   zero bytes in the high planes, which DEFLATE squeezes well.
 *
 * Byte columns (flags) are always RAW. All of this assumes a little-endian host, as every
 * platform pitwall targets is.
 */
import { ErrorCode, fail } from './errors.ts';

export const ColumnCoding = { RAW: 0, DELTA_SHUFFLE: 1 } as const;
export type ColumnCoding = (typeof ColumnCoding)[keyof typeof ColumnCoding];

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
	throw new Error('pitwall protocol requires a little-endian platform');
}

type Words = Float32Array | Uint32Array;

/** Encodes n rows of d 4-byte words into bytes (a fresh buffer; `words` is untouched). */
export function encodeWords(words: Words, rows: number, dim: number, coding: ColumnCoding): Uint8Array {
	const src = new Uint32Array(words.buffer, words.byteOffset, rows * dim);
	if (coding === ColumnCoding.RAW) return new Uint8Array(src.slice().buffer);
	const count = rows * dim;
	const out = new Uint8Array(count * 4);
	let k = 0;
	for (let j = 0; j < dim; j++) {
		let prev = 0;
		for (let i = j; i < count; i += dim) {
			const word = src[i];
			const delta = (word - prev) | 0;
			prev = word;
			const zz = (delta << 1) ^ (delta >> 31);
			out[k] = zz;
			out[k + count] = zz >>> 8;
			out[k + 2 * count] = zz >>> 16;
			out[k + 3 * count] = zz >>> 24;
			k++;
		}
	}
	return out;
}

/** Inverse of encodeWords into `target` (length rows × dim). Checks the byte length first. */
export function decodeWords<T extends Words>(
	bytes: Uint8Array,
	target: T,
	rows: number,
	dim: number,
	coding: number,
	field: string
): T {
	const count = rows * dim;
	if (bytes.length !== count * 4) {
		fail(ErrorCode.INVALID_FIELD, `${field}: ${bytes.length} bytes, expected ${count * 4} (${rows} × ${dim} × 4)`);
	}
	const dst = new Uint32Array(target.buffer, target.byteOffset, count);
	if (coding === ColumnCoding.RAW) {
		new Uint8Array(target.buffer, target.byteOffset, count * 4).set(bytes);
		return target;
	}
	if (coding !== ColumnCoding.DELTA_SHUFFLE) fail(ErrorCode.INVALID_FIELD, `unknown column coding ${coding}`);
	let k = 0;
	for (let j = 0; j < dim; j++) {
		let prev = 0;
		for (let i = j; i < count; i += dim) {
			const zz = bytes[k] | (bytes[k + count] << 8) | (bytes[k + 2 * count] << 16) | (bytes[k + 3 * count] << 24);
			const delta = (zz >>> 1) ^ -(zz & 1);
			prev = (prev + delta) | 0;
			dst[i] = prev;
			k++;
		}
	}
	return target;
}

/** Copies bytes into a fresh aligned buffer (msgpack `bin` values may sit at any offset). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
	return bytes.slice();
}

/** The bytes of a typed array, as a view (for packing as msgpack `bin`). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
	return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
