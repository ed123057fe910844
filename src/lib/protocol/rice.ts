/**
 * PRED_RICE column coding: a lossless, fast entropy coder for smooth float32/uint32 series.
 *
 * A column of `rows × dim` 4-byte words is coded series by series (dimension j = words j, j+dim,
 * j+2·dim, …) into ONE little-endian bit stream (bits fill each byte from its least significant
 * bit), padded with zero bits to a whole byte at the end of the column:
 *
 *   per series:  2 bits predictor p (1 = previous word, 2 = linear extrapolation)
 *   per block of up to 32 words:
 *                5 bits k; k = 31 means "every residual in this block is 0", nothing follows
 *                (the encoder picks the k that makes the block shortest)
 *                per word: zigzag residual z as a Rice code with parameter k:
 *                  q = z >>> k; if q < 20: q zero bits, a one bit, then the k low bits of z
 *                               else:      20 zero bits, then z as 32 raw bits
 *
 * Words are read as uint32 bit patterns; prediction and residuals are mod 2^32:
 *   p = 1: pred_i = w_{i−1}                       (pred_0 = 0)
 *   p = 2: pred_i = 2·w_{i−1} − w_{i−2}           (pred_0 = 0, pred_1 = w_0)
 *   r_i = w_i − pred_i,  z_i = (r_i << 1) XOR (r_i >> 31 arithmetic)
 *
 * Smooth signals leave small residuals, so most words cost a few bits over their entropy; a jump
 * (a sign change, a new episode) costs at most 53 bits. Any bit pattern survives exactly.
 */
import { ErrorCode, fail } from './errors.ts';

const BLOCK = 32;
const ZERO_BLOCK = 31;
const ESCAPE_Q = 20;
const MAX_K = 30;

/** Total bits to code z[start..end) with parameter k (uint32 values held in int32s). */
function blockBits(z: Int32Array, start: number, end: number, k: number): number {
	let bits = 0;
	for (let i = start; i < end; i++) {
		const q = z[i] >>> k;
		bits += q < ESCAPE_Q ? q + 1 + k : ESCAPE_Q + 32;
	}
	return bits;
}

/** The shortest k among a few around the one the mean residual bit length suggests. */
function chooseK(z: Int32Array, start: number, end: number, lengthSum: number): number {
	const guess = Math.round(lengthSum / (end - start)) - 1;
	let best = 0;
	let bestBits = Infinity;
	for (let k = Math.max(0, guess - 2); k <= Math.min(MAX_K, guess + 1); k++) {
		const bits = blockBits(z, start, end, k);
		if (bits < bestBits) {
			bestBits = bits;
			best = k;
		}
	}
	return best;
}

/** Codes n rows × dim words. */
export function riceEncode(source: Float32Array | Uint32Array, rows: number, dim: number): Uint8Array {
	// Int32 views keep every operation below in V8's fast 32-bit integer paths.
	const words = new Int32Array(source.buffer, source.byteOffset, rows * dim);
	const out = new Uint8Array(rows * dim * 8 + dim + 16);
	const z1 = new Int32Array(rows); // zigzag residuals, predictor 1
	const z2 = new Int32Array(rows); // predictor 2
	const blocks = Math.ceil(rows / BLOCK);
	const len1 = new Float64Array(blocks); // residual bit lengths per block
	const len2 = new Float64Array(blocks);
	let acc = 0; // pending bits, LSB first
	let nb = 0; // how many (< 8 between writes)
	let pos = 0;
	for (let j = 0; j < dim; j++) {
		len1.fill(0);
		len2.fill(0);
		let w1 = 0;
		let w2 = 0;
		for (let i = 0, at = j; i < rows; i++, at += dim) {
			const w = words[at];
			const r1 = (w - w1) | 0;
			const r2 = i === 1 ? r1 : (w - ((w1 << 1) - w2)) | 0;
			const a = (r1 << 1) ^ (r1 >> 31);
			const b = (r2 << 1) ^ (r2 >> 31);
			z1[i] = a;
			z2[i] = b;
			len1[i >> 5] += 32 - Math.clz32(a);
			len2[i >> 5] += 32 - Math.clz32(b);
			w2 = w1;
			w1 = w;
		}
		let cost1 = 0;
		let cost2 = 0;
		for (let n = 0; n < blocks; n++) {
			cost1 += len1[n];
			cost2 += len2[n];
		}
		const order = cost2 < cost1 ? 2 : 1;
		const z = order === 1 ? z1 : z2;
		const lengths = order === 1 ? len1 : len2;
		acc |= order << nb;
		nb += 2;
		for (let start = 0, n = 0; start < rows; start += BLOCK, n++) {
			const end = Math.min(start + BLOCK, rows);
			const k = lengths[n] === 0 ? ZERO_BLOCK : chooseK(z, start, end, lengths[n]);
			acc |= k << nb;
			nb += 5;
			while (nb >= 8) {
				out[pos++] = acc;
				acc >>>= 8;
				nb -= 8;
			}
			if (k === ZERO_BLOCK) continue;
			for (let i = start; i < end; i++) {
				let low = z[i];
				const q = low >>> k;
				let lowBits = k;
				if (q < ESCAPE_Q) {
					acc |= (1 << q) << nb; // q zeros, then a one
					nb += q + 1;
				} else {
					nb += ESCAPE_Q; // ESCAPE_Q zeros, then the word raw
					lowBits = 32;
				}
				while (nb >= 8) {
					out[pos++] = acc;
					acc >>>= 8;
					nb -= 8;
				}
				while (lowBits > 0) {
					const n = lowBits > 24 ? 16 : lowBits;
					acc |= (low & ((1 << n) - 1)) << nb;
					nb += n;
					low >>>= n;
					lowBits -= n;
					while (nb >= 8) {
						out[pos++] = acc;
						acc >>>= 8;
						nb -= 8;
					}
				}
			}
		}
	}
	if (nb > 0) out[pos++] = acc;
	return out.subarray(0, pos);
}

/** Decodes into `target` (rows × dim words), failing on any malformed or trailing bits. */
export function riceDecode<T extends Float32Array | Uint32Array>(bytes: Uint8Array, target: T, rows: number, dim: number, field: string): T {
	const words = new Int32Array(target.buffer, target.byteOffset, rows * dim);
	const length = bytes.length;
	let acc = 0; // unread bits, LSB first, as an int32 bit pattern
	let nb = 0;
	let pos = 0;
	// refill: top up to ≥ 25 bits; past the end, zero bits (a short stream fails below or in the end check).
	for (let j = 0; j < dim; j++) {
		while (nb <= 24) {
			acc |= (pos < length ? bytes[pos] : 0) << nb;
			pos++;
			nb += 8;
		}
		const order = acc & 3;
		acc >>>= 2;
		nb -= 2;
		if (order !== 1 && order !== 2) fail(ErrorCode.INVALID_FIELD, `${field}: unknown predictor ${order}`);
		let w1 = 0;
		let w2 = 0;
		for (let start = 0; start < rows; start += BLOCK) {
			const end = Math.min(start + BLOCK, rows);
			while (nb <= 24) {
				acc |= (pos < length ? bytes[pos] : 0) << nb;
				pos++;
				nb += 8;
			}
			const k = acc & 31;
			acc >>>= 5;
			nb -= 5;
			for (let i = start, at = j + start * dim; i < end; i++, at += dim) {
				let v = 0;
				if (k !== ZERO_BLOCK) {
					if (pos > length + 8) fail(ErrorCode.INVALID_FIELD, `${field}: coded column ends early`);
					while (nb <= 24) {
						acc |= (pos < length ? bytes[pos] : 0) << nb;
						pos++;
						nb += 8;
					}
					// Unary: at most ESCAPE_Q zeros; nb ≥ 25 > ESCAPE_Q, so they are all in acc.
					const zeros = acc === 0 ? 32 : 31 - Math.clz32(acc & -acc);
					let lowBits: number;
					let q: number;
					if (zeros >= ESCAPE_Q) {
						acc >>>= ESCAPE_Q;
						nb -= ESCAPE_Q;
						q = 0;
						lowBits = 32;
					} else {
						acc >>>= zeros + 1;
						nb -= zeros + 1;
						q = zeros;
						lowBits = k;
					}
					let low = 0;
					for (let shift = 0; lowBits > 0;) {
						while (nb <= 24) {
							acc |= (pos < length ? bytes[pos] : 0) << nb;
							pos++;
							nb += 8;
						}
						const n = lowBits > 24 ? 16 : lowBits;
						low |= (acc & ((1 << n) - 1)) << shift;
						acc >>>= n;
						nb -= n;
						shift += n;
						lowBits -= n;
					}
					v = (q << k) | low;
				}
				const r = (v >>> 1) ^ -(v & 1);
				const w = order === 1 || i === 1 ? (w1 + r) | 0 : ((w1 << 1) - w2 + r) | 0;
				words[at] = w;
				w2 = w1;
				w1 = w;
			}
		}
	}
	// The stream must end here: fewer than 8 zero bits of padding may remain.
	const consumedBits = pos * 8 - nb;
	if (consumedBits > length * 8) fail(ErrorCode.INVALID_FIELD, `${field}: coded column ends early`);
	if (length * 8 - consumedBits >= 8 || acc !== 0) fail(ErrorCode.INVALID_FIELD, `${field}: trailing bits after the coded column`);
	return target;
}
