/**
 * Downsampling for the charts: the cache extended point by point equals one built at once; the EMA
 * keeps gaps as gaps; the drawn columns keep the first and last point and the series' extremes,
 * every drawn value a real point at its x, in order; a new epoch starts over.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnCache, downsample } from '../../../src/lib/state/downsample.ts';
import { summarize, type Column } from '../../../src/lib/state/series.ts';

function noisy(n: number, seed: number): Column {
	let s = seed;
	const out: Column = [];
	for (let i = 0; i < n; i++) {
		s = (s * 1103515245 + 12345) % 2 ** 31;
		out.push(i % 97 === 5 ? null : Math.sin(i / 5000) + (s / 2 ** 31 - 0.5) * 0.3);
	}
	return out;
}

describe('ColumnCache', () => {
	it('extended as points arrive equals the cache built at once; gaps stay gaps; its summary is the raw one', () => {
		const raw = noisy(5000, 1);
		const once = new ColumnCache();
		once.sync(raw, 0.6, 0);
		const grown = new ColumnCache();
		for (let n = 0; n <= raw.length; n += 777) grown.sync(raw.slice(0, n), 0.6, 0);
		grown.sync(raw, 0.6, 0);
		assert.deepEqual(grown.smoothed, once.smoothed);
		assert.deepEqual(once.summary, summarize(raw));
		assert.equal(once.smoothed[5], null);
		// The EMA: 0.6 of the past, over the points that have a value.
		assert.equal(once.smoothed[1], 0.6 * (raw[0] as number) + 0.4 * (raw[1] as number));
		const plain = new ColumnCache();
		plain.sync(raw, 0, 0);
		assert.deepEqual(plain.smoothed, raw);
	});

	it('a new epoch (the series was thinned or cleared) or smoothing starts over', () => {
		const cache = new ColumnCache();
		cache.sync([1, 2, 3], 0, 0);
		cache.sync([5, 6, 7], 0, 1); // same length, other points
		assert.deepEqual(cache.smoothed, [5, 6, 7]);
		cache.sync([5, 6, 7], 0.5, 1);
		assert.deepEqual(cache.smoothed, [5, 5.5, 6.25]);
	});
});

describe('downsample', () => {
	const brute = (values: Column, from: number, to: number) => {
		let lo = Infinity;
		let hi = -Infinity;
		for (let i = from; i < to; i++) {
			const v = values[i];
			if (v !== null) {
				lo = Math.min(lo, v);
				hi = Math.max(hi, v);
			}
		}
		return [lo, hi];
	};

	for (const n of [3000, 200_000, 1_000_000]) {
		it(`${n} points of two series into 600 columns: ≤ 6 points a column (first, last, each one's min and max), the extremes kept`, () => {
			const x = Array.from({ length: n }, (_, i) => i * 2048);
			const ys = [noisy(n, 3), noisy(n, 9)];
			const caches = ys.map((y) => {
				const c = new ColumnCache();
				c.sync(y, 0, 0);
				return c;
			});
			const [dx, ...dys] = downsample(x, caches, 600);
			if (n <= 2400) return assert.equal(dx.length, n);
			assert.ok(dx.length <= 600 * 6, `${dx.length} points`);
			assert.equal(dx[0], 0);
			assert.equal(dx.at(-1), x.at(-1));
			for (let i = 1; i < dx.length; i++) assert.ok(dx[i] > dx[i - 1], 'x increases');
			ys.forEach((y, s) => {
				assert.equal(dys[s].length, dx.length);
				const [lo, hi] = brute(y, 0, n);
				const shown = dys[s].filter((v): v is number => v !== null);
				assert.equal(Math.min(...shown), lo);
				assert.equal(Math.max(...shown), hi);
				// Every drawn value is a real point at its x.
				for (let k = 0; k < dx.length; k += 97) assert.equal(dys[s][k], y[dx[k] / 2048]);
			});
		});
	}
});
