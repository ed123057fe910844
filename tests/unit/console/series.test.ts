/**
 * The console's metric series (src/lib/state/series.ts): what reaches uPlot. A missing value is
 * a gap, `null`, never NaN (a NaN keeps uPlot's y scale from forming: the best-lap chart stayed
 * empty, without y labels, while laps were driven).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestLapSeconds, chartColumn, Series, summarize } from '../../../src/lib/state/series.ts';

const noNaN = (column: readonly unknown[]) => column.every((v) => v === null || (typeof v === 'number' && Number.isFinite(v)));

test('episodes without a lap are gaps (null), laps are seconds', () => {
	const episodes = new Series(['return', 'length', 'lap']);
	episodes.push(100, 1, 1000, { return: 1.5, length: 200, lap: bestLapSeconds([]) });
	episodes.push(200, 2, 2000, { return: 2.5, length: 300, lap: bestLapSeconds([47_100, 46_550]) });
	episodes.push(300, 3, 3000, { return: Number.NaN, length: Infinity, lap: undefined });
	assert.deepEqual(episodes.y.lap, [null, 46.55, null]);
	assert.deepEqual(episodes.y.return, [1.5, 2.5, null]);
	assert.deepEqual(episodes.y.length, [200, 300, null]);
	assert.deepEqual(episodes.x.time, [1, 2, 3]);
	for (const column of Object.values(episodes.y)) assert.ok(noNaN(column));
});

test('bestLapSeconds: the fastest lap, null without one (or with only broken times)', () => {
	assert.equal(bestLapSeconds([]), null);
	assert.equal(bestLapSeconds([72_100, 71_900]), 71.9);
	assert.equal(bestLapSeconds([Number.NaN, 0, -5]), null);
});

test('thinning keeps gaps as null', () => {
	const s = new Series(['v'], 10);
	for (let i = 0; i < 25; i++) s.push(i, i, i * 1000, { v: i % 3 === 0 ? i : undefined });
	assert.ok(s.length <= 20);
	assert.ok(noNaN(s.y.v));
	assert.ok(s.y.v.includes(null));
});

test('chartColumn: anything not a finite number becomes null (telemetry columns too)', () => {
	assert.deepEqual(chartColumn([1, Number.NaN, undefined, Infinity, null, 2, '3']), [1, null, null, null, null, 2, null]);
});

test('summarize: last, min and max over the points there are', () => {
	assert.deepEqual(summarize([null, 3, 1, null, 2, null]), { last: 2, min: 1, max: 3, count: 3 });
	assert.deepEqual(summarize([null, null]), { last: null, min: null, max: null, count: 0 });
	assert.deepEqual(summarize([]), { last: null, min: null, max: null, count: 0 });
});
