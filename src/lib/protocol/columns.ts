/**
 * Column coding for batches. A column is n rows × d 4-byte words (float32 or uint32).
 *
 * - RAW (0): the words little-endian, row-major (row 0's d values, then row 1's, …).
 * - PRED_RICE (1): predicted residuals, Rice-coded, series by series (see rice.ts).
 *
 * All of this assumes a little-endian host, as every platform pitwall targets is.
 */
import { ErrorCode, fail } from './errors.ts';
import { riceDecode, riceEncode } from './rice.ts';

export const ColumnCoding = { RAW: 0, PRED_RICE: 1 } as const;
export type ColumnCoding = (typeof ColumnCoding)[keyof typeof ColumnCoding];

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
	throw new Error('pitwall protocol requires a little-endian platform');
}

type Words = Float32Array | Uint32Array;

/** Encodes n rows of d 4-byte words into bytes; `words` is untouched. */
export function encodeWords(words: Words, rows: number, dim: number, coding: ColumnCoding): Uint8Array {
	if (coding === ColumnCoding.PRED_RICE) return riceEncode(words, rows, dim);
	return new Uint8Array(words.buffer, words.byteOffset, rows * dim * 4);
}

/** Inverse of encodeWords into `target` (length rows × dim). */
export function decodeWords<T extends Words>(bytes: Uint8Array, target: T, rows: number, dim: number, coding: number, field: string): T {
	if (coding === ColumnCoding.PRED_RICE) return riceDecode(bytes, target, rows, dim, field);
	if (coding !== ColumnCoding.RAW) fail(ErrorCode.INVALID_FIELD, `${field}: unknown column coding ${coding}`);
	if (bytes.length !== rows * dim * 4) {
		fail(ErrorCode.INVALID_FIELD, `${field}: ${bytes.length} bytes, expected ${rows * dim * 4} (${rows} × ${dim} × 4)`);
	}
	new Uint8Array(target.buffer, target.byteOffset, rows * dim * 4).set(bytes);
	return target;
}

/** The bytes of a typed array, as a view (for packing as MessagePack `bin`). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
	return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
