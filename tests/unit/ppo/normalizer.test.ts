import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObsNormalizer, RewardScaler, RunningMeanStd } from '../../../src/lib/ppo/normalizer.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';

describe('running statistics', () => {
	it('batched updates equal the statistics of all data at once', () => {
		const rng = new Rng(1);
		const data = Float64Array.from({ length: 3000 }, (_, i) => (i % 3) * 10 + rng.normal() * (1 + (i % 3)));
		const rms = new RunningMeanStd(3);
		for (let at = 0; at < 1000; at += 137) rms.update(data.subarray(at * 3, Math.min(1000, at + 137) * 3), Math.min(1000, at + 137) - at);
		for (let j = 0; j < 3; j++) {
			let mean = 0;
			for (let i = 0; i < 1000; i++) mean += data[i * 3 + j];
			mean /= 1000;
			let v = 0;
			for (let i = 0; i < 1000; i++) v += (data[i * 3 + j] - mean) ** 2;
			v /= 1000;
			assert.ok(Math.abs(rms.mean[j] - mean) < 1e-3, `mean ${rms.mean[j]} vs ${mean}`);
			assert.ok(Math.abs(rms.var[j] - v) / v < 1e-3, `var ${rms.var[j]} vs ${v}`);
		}
	});

	it('normalises and clips observations', () => {
		const norm = new ObsNormalizer(1, 2);
		norm.stats.update(new Float64Array([0, 2, 4]), 3); // mean ≈ 2, var ≈ 8/3
		const out = norm.normalize(new Float32Array([2, 100, -100]), 3);
		assert.ok(Math.abs(out[0]) < 1e-3);
		assert.deepStrictEqual([out[1], out[2]], [2, -2]);
		const stats = norm.toStats();
		assert.equal(stats.clip, 2);
		assert.ok(Math.abs(stats.mean[0] - 2) < 1e-3);
	});

	it('scales rewards by the running std of the discounted return, per stream', () => {
		const scaler = new RewardScaler(0.99, 10);
		const a = scaler.scale('a', new Float32Array(200).fill(1), new Uint8Array(200));
		// Returns grow towards 1/(1−γ); their std is large, so unit rewards shrink well below 1.
		assert.ok(a[199] < 0.2 && a[199] > 0, `scaled reward ${a[199]}`);
		const b = scaler.scale('b', new Float32Array([1]), new Uint8Array([1]));
		assert.ok(b[0] > 0 && b[0] < 1);
	});
});
