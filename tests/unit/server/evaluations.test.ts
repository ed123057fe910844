/**
 * POST /api/evaluations' runtime side: EVALUATE goes to connected local-mode actors only, PPO runs
 * ask for no transitions, the episodes that come back are collected and recorded with their evalId,
 * and they stay out of the training curve.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { MessageType, type EpisodeSummary, type Evaluate, type Message } from '../../../src/lib/protocol/index.ts';
import { parseServerConfig } from '../../../src/lib/server/config.ts';
import { silentLog } from '../../../src/lib/server/log.ts';
import { Runtime, type ActorLink } from '../../../src/lib/server/runtime/index.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

class FakeLink implements ActorLink {
	bufferedAmount = 0;
	readonly frames: Message[] = [];
	send(message: Message): void {
		this.frames.push(message);
	}
	sendFrame(): void {}
	close(): void {}
	evaluates(): Evaluate[] {
		return this.frames.filter((m): m is Evaluate => m.type === MessageType.EVALUATE);
	}
}

const base = parseServerConfig([], {});
const runtime = new Runtime(
	{
		...base,
		learner: { ...base.learner, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-eval-')), runId: 'eval', backends: ['cpu'], ppo: { hiddenSizes: [8], nSteps: 64 } }
	},
	{ log: silentLog, timer: false }
);
after(() => runtime.shutdown());

const summary = (ret: number, evalId?: number): EpisodeSummary => ({
	type: MessageType.EPISODE_SUMMARY,
	episodeId: 1,
	return: ret,
	length: 100,
	endReason: 'time-limit',
	terminated: false,
	truncated: true,
	lapTimesMs: evalId ? [61_000] : [],
	cleanLaps: evalId ? 1 : 0,
	policyVersion: 1,
	...(evalId === undefined ? {} : { evalId })
});

it('sends EVALUATE to local-mode actors, collects their evaluation episodes, and keeps them off the training curve', async () => {
	const local = new FakeLink();
	const remote = new FakeLink();
	const { entry } = runtime.admit(seedHandshake('car-1'), 'x', local);
	runtime.admit(seedHandshake('car-2', 'remote'), 'x', remote);
	await runtime.training.started;

	assert.throws(() => runtime.evaluate(0), /episodes must be an integer in \[1, 16\]/);
	const info = runtime.evaluate(2);
	assert.deepEqual(info.actors, ['car-1']);
	assert.deepEqual(info.skipped, [{ actorId: 'car-2', reason: 'remote mode: the learner samples its actions' }]);
	assert.deepEqual(local.evaluates(), [{ type: MessageType.EVALUATE, evalId: info.evalId, episodes: 2, record: false }], 'PPO: no transitions');
	assert.equal(remote.evaluates().length, 0);
	const next = runtime.evaluate(1);
	assert.ok(next.evalId > info.evalId, 'ids only grow');

	runtime.episode(entry, summary(5));
	runtime.episode(entry, summary(80, info.evalId));
	const [newest, older] = runtime.evaluationList();
	assert.equal(newest.evalId, next.evalId);
	assert.deepEqual(
		older.results.map((r) => [r.actorId, r.return, r.lapTimesMs]),
		[['car-1', 80, [61_000]]]
	);
	assert.equal(runtime.status().evaluations.length, 2);
	const episodes = runtime.metrics.points.filter((p) => p.kind === 'episode');
	assert.deepEqual(
		episodes.map((p) => (p.kind === 'episode' ? p.evalId : -1)),
		[undefined, info.evalId]
	);
	assert.equal(runtime.metrics.recentReturn(), 5, 'the evaluation episode is not in the training return');
	assert.equal(runtime.actorInfos().find((a) => a.id === 'car-1')!.bestLapMs, 61_000, 'its laps are laps');
});
