/**
 * EVALUATE on the agent: the current episode ends as usual, then the requested episodes drive the
 * policy's deterministic action and report with the evalId; their transitions reach the learner
 * only when the request says so, and they never use up the steps-per-version budget.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent } from '../../../bridge-agent/src/agent.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import type { LearnerLink } from '../../../bridge-agent/src/link/learner-link.ts';
import { createLogger } from '../../../bridge-agent/src/log.ts';
import { OBS_DIM } from '../../../bridge-agent/src/rl/observation.ts';
import { ACTION_DIM } from '../../../bridge-agent/src/rl/spaces.ts';
import { SimWorld } from '../../../bridge-agent/src/sim/sim-world.ts';
import { initParams, policyLayout } from '../../../src/lib/ppo/layout.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { weightsMessage } from '../../../src/lib/ppo/weights.ts';
import { MessageType, type EpisodeSummary, type TransitionBatch } from '../../../src/lib/protocol/index.ts';

interface Sent {
	episodes: Omit<EpisodeSummary, 'type'>[];
	/** Each batch with the number of episodes reported before it was sent. */
	batches: { batch: TransitionBatch; afterEpisodes: number }[];
}

function setup(stepsPerPolicy = 0) {
	const world = new SimWorld(Track.named('oval'), 1, 'line');
	const log = createLogger({ level: 'error', json: true, name: 'test' }, () => {});
	// Short episodes: the time limit ends each after 2 s (40 steps).
	const agent = new Agent(world, {
		controlHz: 20,
		mode: 'local',
		smoothing: 'moderate',
		batchSteps: 16,
		seed: 3,
		reward: { maxEpisodeSec: 2 },
		stepsPerPolicy,
		log
	});
	const sent: Sent = { episodes: [], batches: [] };
	agent.link = {
		connected: true,
		bufferedSteps: 0,
		droppedSteps: 0,
		sendBatch: (batch: TransitionBatch) => void sent.batches.push({ batch, afterEpisodes: sent.episodes.length }),
		sendEpisode: (summary: Omit<EpisodeSummary, 'type'>) => void sent.episodes.push(summary),
		sendTelemetry: () => {}
	} as unknown as LearnerLink;
	const layout = policyLayout(OBS_DIM, ACTION_DIM, [8]);
	assert.equal(agent.loadWeights(weightsMessage(layout, initParams(layout, new Rng(1), -0.5), 1)), '');
	const noisy: boolean[] = [];
	const policy = agent.policy!;
	const act = policy.act.bind(policy);
	policy.act = (obs, rng) => (noisy.push(rng !== undefined), act(obs, rng));
	/** Ticks until `episodes` more episodes were reported (awaiting each reset). */
	const drive = async (episodes: number) => {
		const until = sent.episodes.length + episodes;
		for (let guard = 0; sent.episodes.length < until; guard++) {
			assert.ok(guard < 10_000, 'episodes end');
			if (agent.tick() === 'wait') await new Promise((resolve) => setImmediate(resolve));
		}
	};
	return { agent, sent, noisy, drive };
}

describe('evaluation episodes on the agent', () => {
	it('finishes the current episode, then drives deterministic episodes that report the evalId and send nothing', async () => {
		const { agent, sent, noisy, drive } = setup();
		await drive(1);
		agent.tick(); // mid-episode when the request comes
		agent.evaluate({ type: MessageType.EVALUATE, evalId: 7, episodes: 2, record: false });
		await drive(1);
		assert.equal(sent.episodes[1].evalId, undefined, 'the episode running at the request is a training episode');
		const batchesBefore = sent.batches.length;
		noisy.length = 0;
		await drive(2);
		assert.deepEqual(
			sent.episodes.slice(2).map((e) => e.evalId),
			[7, 7]
		);
		assert.ok(noisy.length >= 70 && noisy.every((n) => !n), 'every evaluation action is the mean');
		assert.equal(sent.batches.length, batchesBefore, 'no transitions of evaluation episodes');
		assert.ok(
			sent.episodes.slice(2).every((e) => e.length >= 39),
			'their lengths are counted'
		);
		noisy.length = 0;
		await drive(1);
		assert.equal(sent.episodes[4].evalId, undefined, 'training again');
		assert.ok(noisy.length > 0 && noisy.every((n) => n), 'with exploration noise');
		assert.ok(sent.batches.length > batchesBefore);
	});

	it('sends the transitions when the request records them, and a newer request replaces a pending one', async () => {
		const { agent, sent, drive } = setup();
		agent.evaluate({ type: MessageType.EVALUATE, evalId: 1, episodes: 3, record: false });
		agent.evaluate({ type: MessageType.EVALUATE, evalId: 2, episodes: 1, record: true });
		await drive(3);
		assert.deepEqual(
			sent.episodes.map((e) => e.evalId),
			[undefined, 2, undefined]
		);
		assert.ok(
			sent.batches.some((b) => b.afterEpisodes === 1),
			'the evaluation episode’s steps went out'
		);
	});

	it('evaluation steps that are not sent do not use up the policy version’s step budget', async () => {
		const { agent, sent, drive } = setup(70); // 70 steps per version; episodes are 40 steps
		agent.evaluate({ type: MessageType.EVALUATE, evalId: 5, episodes: 1, record: false });
		await drive(2); // 40 training steps, then 40 evaluation steps that the learner never gets
		assert.deepEqual(
			sent.episodes.map((e) => e.evalId),
			[undefined, 5]
		);
		assert.equal(agent.waitingForPolicy, false, 'only the 40 sent steps count');
		let ticks = 0;
		while (agent.tick() !== 'wait') ticks++;
		assert.ok(ticks >= 29 && ticks <= 31, `then 30 more training steps use it up (${ticks})`);
	});

	it('remote-mode agents ignore EVALUATE (the learner samples their actions)', () => {
		const world = new SimWorld(Track.named('oval'), 1, 'line');
		const warnings: string[] = [];
		const log = { debug: () => {}, info: () => {}, error: () => {}, warn: (m: string) => void warnings.push(m) };
		const agent = new Agent(world, { controlHz: 20, mode: 'remote', smoothing: 'moderate', batchSteps: 16, seed: 3, stepsPerPolicy: 0, log });
		agent.evaluate({ type: MessageType.EVALUATE, evalId: 5, episodes: 1, record: false });
		assert.match(warnings[0], /EVALUATE ignored/);
	});
});
