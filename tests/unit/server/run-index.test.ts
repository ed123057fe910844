/**
 * The runs page's reading of the runs directory: a summary per run from its files, its series
 * downsampled with the extremes kept and evaluation episodes left out, torn lines skipped, the
 * cache refreshed when the file grows, and no id that reaches outside the directory.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunIndex } from '../../../src/lib/server/run/run-index.ts';

const T0 = 1_790_000_000_000;

function makeRun(root: string, id: string, algo: string, updates: number, lr: number, t0: number) {
	const dir = join(root, id);
	mkdirSync(join(dir, 'checkpoints'), { recursive: true });
	writeFileSync(join(dir, 'config.json'), JSON.stringify({ runId: id, algo, ppo: { learningRate: lr, nSteps: 2048 } }));
	const lines: string[] = [];
	for (let u = 1; u <= updates; u++) {
		lines.push(
			JSON.stringify({ kind: 'update', step: u * 2048, update: u, time: t0 + u * 1000, policyVersion: u + 1, 'losses/entropy': u === 777 ? 99 : 1 / u })
		);
		if (u % 10 === 0)
			lines.push(
				JSON.stringify({
					kind: 'episode',
					step: u * 2048,
					time: t0 + u * 1000,
					actorId: 'a',
					return: u,
					length: 100,
					lapTimesMs: u % 20 === 0 ? [60_000 - u] : [],
					cleanLaps: 0,
					policyVersion: u
				})
			);
	}
	lines.push(
		JSON.stringify({
			kind: 'episode',
			step: 1,
			time: t0 + updates * 1000,
			actorId: 'a',
			return: 1e9,
			length: 1,
			lapTimesMs: [],
			cleanLaps: 0,
			policyVersion: 1,
			evalId: 4
		})
	);
	writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n{"kind":"upd');
	writeFileSync(join(dir, 'laps.jsonl'), [61_000, 59_500].map((timeMs, i) => JSON.stringify({ id: i + 1, timeMs, clean: i === 0 })).join('\n') + '\n');
	writeFileSync(join(dir, 'checkpoints', 'latest.zip'), 'zip');
	writeFileSync(join(dir, 'checkpoints', 'ckpt-00000010.zip'), 'zip');
	return dir;
}

describe('RunIndex', () => {
	const root = mkdtempSync(join(tmpdir(), 'pitwall-runs-'));
	makeRun(root, 'older', 'sac', 50, 1e-3, T0 - 86_400_000);
	const liveDir = makeRun(root, 'live-one', 'ppo', 6000, 3e-4, T0);
	mkdirSync(join(root, 'not-a-run')); // no config.json
	const index = new RunIndex(root, 'live-one');

	it('summarises each run from its own files, newest first', () => {
		const runs = index.list();
		assert.deepEqual(
			runs.map((r) => [r.id, r.live, r.algo, r.updates, r.samples, r.bestCleanLapMs, r.laps, r.checkpoints]),
			[
				['live-one', true, 'ppo', 6000, 6000 * 2048, 61_000, 2, ['ckpt-00000010', 'latest']],
				['older', false, 'sac', 50, 50 * 2048, 61_000, 2, ['ckpt-00000010', 'latest']]
			]
		);
		assert.equal(runs[0].startedAt, T0 + 1000);
		assert.equal(runs[0].lastAt, T0 + 6000 * 1000);
	});

	it('series: downsampled, the extremes kept, aligned axes, evaluation episodes left out', async () => {
		const updates = await index.series('live-one', ['losses/entropy']);
		const y = updates.y['losses/entropy'];
		assert.ok(y.length < 6000 && y.length > 500, `${y.length} points`);
		assert.equal(Math.max(...(y as number[])), 99, 'the spike survives the downsampling');
		assert.equal(updates.x.step.length, y.length);
		assert.equal(updates.x.elapsed[0], 0);
		assert.equal(updates.x.update.at(-1), 6000);
		const episodes = await index.series('live-one', ['return', 'lap']);
		assert.equal(Math.max(...(episodes.y.return as number[])), 6000, 'no evaluation episode (return 1e9)');
		assert.equal(episodes.y.lap[1], 59.98);
		assert.equal(episodes.y.lap[0], null);
	});

	it('the cache follows the file: new points show', async () => {
		const before = await index.series('older', ['return']);
		appendFileSync(
			join(root, 'older', 'metrics.jsonl'),
			'\n' +
				JSON.stringify({ kind: 'episode', step: 999_999, time: T0, actorId: 'a', return: 777, length: 1, lapTimesMs: [], cleanLaps: 0, policyVersion: 1 }) +
				'\n'
		);
		const after = await index.series('older', ['return']);
		assert.equal(after.y.return.length, before.y.return.length + 1);
		assert.equal(after.y.return.at(-1), 777);
		assert.ok(liveDir);
	});

	it('refuses ids that are no run (400) or no run here (404), and checkpoint ids likewise', async () => {
		for (const id of ['..', '../etc', 'a/b', '', '.hidden']) assert.throws(() => index.config(id), { status: 400 }, id);
		assert.throws(() => index.config('not-a-run'), { status: 404 });
		assert.throws(() => index.checkpointFile('older', '../../config'), { status: 400 });
		assert.throws(() => index.checkpointFile('older', 'best'), { status: 404 });
		assert.match(index.checkpointFile('older', 'latest'), /older\/checkpoints\/latest\.zip$/);
		await assert.rejects(index.series('older', []), { status: 400 });
		await assert.rejects(index.series('older', ['return', 'losses/entropy']), { status: 400 });
		await assert.rejects(index.series('older', ['a', 'b', 'c', 'd', 'e']), { status: 400 });
		await assert.rejects(index.series('older', ['x"y']), { status: 400 });
	});
});
