import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnCoding, decodeWords, encodeWords } from '../../../src/lib/protocol/columns.ts';
import { Rng } from '../../fixtures/random.ts';

describe('column coding', () => {
	it('delta-shuffle is lossless for arbitrary bit patterns', () => {
		const rng = new Rng(3);
		for (const [rows, dim] of [[1, 1], [7, 3], [100, 15], [33, 1]]) {
			const words = Uint32Array.from({ length: rows * dim }, () => rng.int(2 ** 32));
			const bytes = encodeWords(words, rows, dim, ColumnCoding.DELTA_SHUFFLE);
			const back = decodeWords(bytes, new Uint32Array(rows * dim), rows, dim, ColumnCoding.DELTA_SHUFFLE, 'x');
			assert.deepStrictEqual(back, words);
		}
	});

	it('pins the layout: column-major zigzag deltas, byte planes', () => {
		// rows 2 × dim 2: series [1, 3] and [2, 1] → zigzag deltas [2, 4] and [4, 1] (−1 → 1)
		const bytes = encodeWords(new Uint32Array([1, 2, 3, 1]), 2, 2, ColumnCoding.DELTA_SHUFFLE);
		assert.deepStrictEqual([...bytes], [2, 4, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
	});

	it('raw is little-endian row-major', () => {
		const bytes = encodeWords(new Float32Array([1, -2]), 1, 2, ColumnCoding.RAW);
		assert.deepStrictEqual([...bytes], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
	});

	it('refuses a byte length that contradicts rows × dim', () => {
		assert.throws(() => decodeWords(new Uint8Array(11), new Float32Array(3), 3, 1, 0, 'obs'), { code: 'INVALID_FIELD' });
	});
});
