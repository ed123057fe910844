/**
 * The link between an agent process and the learner black-holed for 30 s (through a TCP proxy that
 * swallows every byte and closes nothing): the agent notices the silence and keeps reconnecting,
 * the learner marks the actor lost, and once the link comes back every step the agent recorded is
 * stored exactly once — nothing lost, nothing duplicated.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BlackholeProxy } from '../fixtures/blackhole-proxy.ts';
import { ACTOR_TOKEN, AgentProcess, BUILT } from '../fixtures/fleet.ts';
import { startTestServer, waitFor } from './helpers.ts';

const PPO = { nSteps: 512, minibatchSize: 128, updateEpochs: 1, hiddenSizes: [16] };
const BLACKHOLE_MS = 30_000;

it(
	'a link black-holed for 30 s loses and duplicates nothing',
	{ skip: !BUILT && 'the agent bundle is not built (npm run build)', timeout: 180_000 },
	async () => {
		const ctx = await startTestServer({ actorToken: ACTOR_TOKEN }, { ppo: PPO });
		const proxy = await BlackholeProxy.start(ctx.server.port);
		const agent = new AgentProcess({
			url: `ws://127.0.0.1:${proxy.port}/ws/actor`,
			name: 'far-away',
			seed: 3,
			args: ['--learner-timeout-ms', '3000', '--batch-steps', '64', '--steps-per-policy', '512', '--track', 'oval']
		});
		try {
			await waitFor(() => ctx.runtime.status().updates >= 2, 'training through the proxy', 60_000);
			proxy.blackhole();
			const cutAt = Date.now();
			await waitFor(() => agent.count(/^learner silent; reconnecting$/) >= 2, 'the agent to notice the silence, twice', 20_000);
			await waitFor(() => ctx.runtime.alerts.open.some((a) => a.kind === 'actor-lost'), 'the learner to mark the actor lost', 20_000);
			await new Promise((resolve) => setTimeout(resolve, Math.max(0, BLACKHOLE_MS - (Date.now() - cutAt))));
			proxy.restore();
			const updates = ctx.runtime.status().updates;
			await waitFor(() => ctx.runtime.status().updates >= updates + 2, 'training again after the link came back', 60_000);
			assert.equal((await agent.kill('SIGTERM')).code, 0);
		} finally {
			agent.kill('SIGKILL');
			await proxy.close();
			await ctx.server.close();
		}
		const figures = agent.stopped()!;
		const books = ctx.runtime.status().transitions;
		assert.equal(figures.droppedSteps, 0);
		assert.equal(figures.unstoredSteps, 0);
		assert.equal(books.received, figures.recordedSteps, 'every recorded step stored exactly once');
		assert.equal(books.skippedBatches, 0);
		assert.ok(figures.silences >= 2 && figures.reconnects >= 2);
	}
);
