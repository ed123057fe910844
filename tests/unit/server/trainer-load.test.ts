/** The trainer's busy share over a window, from the worker's running busy total on the learner's clock. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TrainerLoad } from '../../../src/lib/server/runtime/trainer-load.ts';

describe('trainer load', () => {
	it('is the busy milliseconds over the wall milliseconds since the window started', () => {
		const load = new TrainerLoad(10_000);
		assert.equal(load.busy(0), 0, 'nothing observed yet');
		load.observe(0, 0);
		assert.equal(load.busy(1000), 0, 'one sample: no span yet');
		load.observe(500, 1000); // a 500 ms update finished at t = 1 s
		assert.equal(load.busy(1000), 0.5);
		assert.equal(load.busy(2000), 0.25, 'idle time after the last report counts as idle');
		load.observe(500, 4000);
		assert.equal(load.busy(4000), 0.125);
	});

	it('forgets what is older than the window, keeping one sample before it as the baseline', () => {
		const load = new TrainerLoad(10_000);
		load.observe(0, 0);
		load.observe(9000, 9000); // busy all the first 9 s
		for (let t = 10_000; t <= 30_000; t += 1000) load.observe(9000, t); // then idle
		assert.equal(load.busy(30_000), 0, 'the busy stretch left the window');
		load.observe(14_000, 35_000);
		assert.ok(Math.abs(load.busy(35_000) - 5000 / 10_000) < 1e-9, String(load.busy(35_000)));
	});

	it('starts over when the total goes down (a new trainer), and stays within [0, 1]', () => {
		const load = new TrainerLoad(10_000);
		load.observe(100_000, 0);
		load.observe(100_000, 1000);
		load.observe(200, 2000);
		assert.equal(load.busy(2000), 0, 'one sample since the restart');
		load.observe(5000, 3000); // more busy time than wall time (threads, rounding) is capped
		assert.equal(load.busy(3000), 1);
	});
});
