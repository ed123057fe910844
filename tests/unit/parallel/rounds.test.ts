/**
 * The leader/worker rounds over shared memory, both sides on this thread (only a worker's `next`
 * blocks): a worker's error reaches the leader with its text; a worker that never answers is an
 * error at the deadline, not a wait forever; a thread that died marks the rounds broken.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoundsLeader, RoundsWorker, roundsBuffer } from '../../../src/lib/parallel/rounds.ts';

describe('rounds', () => {
	it('finishes when every worker is done', () => {
		const buffer = roundsBuffer();
		const leader = new RoundsLeader(buffer, 2, 1000);
		const workers = [new RoundsWorker(buffer, 1), new RoundsWorker(buffer, 2)];
		leader.start(1, 64);
		for (const w of workers) assert.deepEqual(w.next(), { cmd: 1, arg: 64 });
		for (const w of workers) w.done();
		leader.finish();
	});

	it("throws the first failing worker's error", () => {
		const buffer = roundsBuffer();
		const leader = new RoundsLeader(buffer, 2, 1000);
		const [one, two] = [new RoundsWorker(buffer, 1), new RoundsWorker(buffer, 2)];
		leader.start(1);
		two.fail(new Error('matMul: out of memory'));
		one.fail(new Error('later'));
		assert.throws(() => leader.finish(), /trainer thread 2 failed: matMul: out of memory$/);
	});

	it('throws at the deadline when a worker never answers', () => {
		const buffer = roundsBuffer();
		const leader = new RoundsLeader(buffer, 2, 50);
		new RoundsWorker(buffer, 1).done();
		leader.start(1);
		new RoundsWorker(buffer, 1).done();
		const started = performance.now();
		assert.throws(() => leader.finish(), /did not finish a round within 50 ms \(1 of 2 did\)/);
		assert.ok(performance.now() - started < 5000);
	});

	it('refuses to start a round once broken', () => {
		const leader = new RoundsLeader(roundsBuffer(), 1, 50);
		leader.broken = 'trainer thread 1 exited (code 1)';
		assert.throws(() => leader.start(1), /exited \(code 1\)/);
	});
});
