import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnCoding, decodeWords, encodeWords } from '../../../src/lib/protocol/columns.ts';
import { driveTrajectory } from '../../fixtures/trajectory.ts';
import { Rng } from '../../fixtures/random.ts';

const rice = ColumnCoding.PRED_RICE;

function roundTrip(words: Uint32Array | Float32Array, rows: number, dim: number): Uint8Array {
	const bytes = encodeWords(words, rows, dim, rice);
	const back = decodeWords(bytes, new Uint32Array(rows * dim), rows, dim, rice, 'x');
	assert.deepStrictEqual(back, new Uint32Array(words.buffer, words.byteOffset, rows * dim));
	return bytes;
}

describe('PRED_RICE column coding', () => {
	it('is lossless for arbitrary bit patterns (NaN payloads, -0, extremes)', () => {
		const rng = new Rng(3);
		for (const [rows, dim] of [
			[1, 1],
			[2, 1],
			[7, 3],
			[100, 15],
			[33, 1],
			[65, 2]
		]) {
			roundTrip(
				Uint32Array.from({ length: rows * dim }, () => rng.int(2 ** 32)),
				rows,
				dim
			);
		}
		roundTrip(new Uint32Array([0, 0xffffffff, 0x80000000, 0x7fc00001, 0, 1, 0xffffffff, 0]), 8, 1);
	});

	it('is lossless for smooth data, jumps and all-zero blocks', () => {
		const t = driveTrajectory(300, 9);
		roundTrip(t.obs, 301, 15);
		const jumps = Float32Array.from({ length: 200 }, (_, i) => (i % 50 === 0 ? -1e30 : Math.sin(i / 10)));
		roundTrip(jumps, 200, 1);
		assert.equal(roundTrip(new Uint32Array(96), 96, 1).length, 3); // 2 + 3×5 bits
	});

	it('pins the bit layout', () => {
		// one series [3, 4, 5]: predictor 2 (linear); zigzag residuals 6, 2, 0; k = 1 (10 bits, k = 0 needs 11)
		const bytes = encodeWords(new Uint32Array([3, 4, 5]), 3, 1, rice);
		assert.deepStrictEqual([...bytes], [...encodeExpected()]);
	});

	it('codes smooth telemetry far below 4 bytes a float', () => {
		const t = driveTrajectory(1000, 4);
		const bytes = roundTrip(t.obs, 1001, 15);
		assert.ok(bytes.length < 1001 * 15 * 2.5, `${bytes.length} bytes`);
	});

	it('refuses a raw column whose length contradicts rows × dim', () => {
		assert.throws(() => decodeWords(new Uint8Array(11), new Float32Array(3), 3, 1, ColumnCoding.RAW, 'obs'), { code: 'INVALID_FIELD' });
	});
});

/** The expected bytes for [3, 4, 5], written out bit by bit from the format in rice.ts. */
function encodeExpected(): Uint8Array {
	const bits: number[] = [];
	const put = (v: number, n: number) => {
		for (let i = 0; i < n; i++) bits.push((v >>> i) & 1);
	};
	put(2, 2); // predictor: linear (residuals 6, 2, 0 beat 6, 2, 2)
	put(1, 5); // k = 1
	for (const z of [6, 2, 0]) {
		put(0, z >>> 1);
		put(1, 1);
		put(z & 1, 1);
	}
	const out = new Uint8Array(Math.ceil(bits.length / 8));
	bits.forEach((b, i) => (out[i >> 3] |= b << (i & 7)));
	return out;
}
