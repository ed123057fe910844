/**
 * SAC end to end: the built learner with --algo sac and two bridge-agent processes driving the
 * simulated car over real sockets. The agents run the squashed actor from WEIGHTS_UPDATE, the
 * learner trains continuously at its update-to-data ratio (the agents, faster than real time,
 * are paced per policy version), its status shows the replay buffer, every step is in the books,
 * deterministic evaluation episodes come back on request, and a restarted learner resumes the SAC
 * run from its checkpoint (replay buffer included).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import type { EvaluationInfo, LearnerStatus } from '../../src/lib/protocol/index.ts';
import { AgentProcess, BUILT, bookTotals, freePort, LearnerProcess, savedRun } from '../fixtures/fleet.ts';
import { waitFor } from './helpers.ts';

const SAC = { hiddenSizes: [32, 32], batchSize: 64, learningStarts: 400, broadcastEvery: 20, utd: 0.5 };
const LEARNER_ARGS = ['--algo', 'sac', '--sac', JSON.stringify(SAC), '--checkpoint-every-updates', '5', '--log-level', 'debug'];
// broadcastEvery / utd / 2 agents: together they bring the env steps behind one version's gradient steps.
// Episodes of at most 20 s (400 steps), so that an evaluation episode ends soon.
const AGENT_ARGS = ['--steps-per-policy', '20', '--batch-steps', '20', '--episode-seconds', '20'];

async function status(port: number): Promise<LearnerStatus> {
	const res = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { authorization: 'Bearer fleet-console-token' } });
	assert.equal(res.status, 200);
	return (await res.json()) as LearnerStatus;
}

it(
	'two agents train SAC over real sockets; the run resumes from its checkpoint',
	{ skip: !BUILT && 'build/server.js or the agent bundle not built (npm run build)', timeout: 240_000 },
	async () => {
		const port = await freePort();
		const o = { port, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-sac-')), runId: 'sac', args: LEARNER_ARGS };
		let learner = new LearnerProcess(o);
		const agents = [1, 2].map((i) => new AgentProcess({ url: learner.url, name: `car-${i}`, seed: i, args: AGENT_ARGS }));
		try {
			await waitFor(() => learner.listening, 'the learner listening', 30_000, 50);
			let s = await status(port);
			const deadline = Date.now() + 120_000;
			while (s.updates < 400 && Date.now() < deadline) {
				await new Promise((resolve) => setTimeout(resolve, 250));
				s = await status(port);
			}
			assert.ok(s.updates >= 400, `400 gradient steps in time (${s.updates})`);
			assert.equal(s.algo, 'sac');
			assert.ok(s.replay && s.replay.size > SAC.learningStarts, JSON.stringify(s.replay));
			assert.equal(s.replay.capacity, 1_000_000);
			const held = Object.values(s.replay.perActor);
			assert.ok(held.length === 2 && held.every((n) => n > 0), `transitions per actor ${JSON.stringify(s.replay.perActor)}`);
			// Paced agents: the achieved ratio stays near the target (the pre-learning steps count as data).
			assert.ok(s.replay.utdAchieved > 0.3 && s.replay.utdAchieved <= 0.55, `achieved UTD ${s.replay.utdAchieved}`);
			assert.deepEqual(Object.keys(s.hyperparams).sort(), ['policyLr', 'qLr', 'utd']);
			assert.ok(s.policyVersion > 8);
			const update = learner.lines.filter((l) => l.msg === 'update').at(-1)!;
			assert.ok(Number(update.update) >= 400, `the last policy's gradient steps: ${update.update}`);
			// Both agents load the squashed actor: they ack versions past the first.
			const actors = (await (await fetch(`http://127.0.0.1:${port}/api/actors`, { headers: { authorization: 'Bearer fleet-console-token' } })).json()) as {
				name: string;
				ackedVersion: number;
			}[];
			assert.equal(actors.length, 2);
			for (const a of actors) assert.ok(a.ackedVersion > 2, `${a.name} acked ${a.ackedVersion}`);

			// Live edits are SAC's own settings, range-checked; PPO's are refused by name.
			const patch = (body: string) =>
				fetch(`http://127.0.0.1:${port}/api/hyperparams`, {
					method: 'PATCH',
					body,
					headers: { authorization: 'Bearer fleet-console-token', origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }
				});
			const wrongAlgo = await patch('{"learningRate":0.001}');
			assert.equal(wrongAlgo.status, 400);
			assert.match(await wrongAlgo.text(), /only policyLr, qLr, utd/);
			assert.equal((await patch('{"utd":0}')).status, 400);
			const edited = await patch('{"utd":0.5,"qLr":0.0005}');
			assert.equal(edited.status, 200);
			assert.deepEqual(await edited.json(), { policyLr: 3e-4, qLr: 5e-4, utd: 0.5 });

			// Deterministic evaluation: each agent finishes its episode, drives one with the mean action, reports it.
			const evaluation = await fetch(`http://127.0.0.1:${port}/api/evaluations`, {
				method: 'POST',
				body: '{"episodes":1}',
				headers: { authorization: 'Bearer fleet-console-token', origin: `http://127.0.0.1:${port}`, 'content-type': 'application/json' }
			});
			assert.equal(evaluation.status, 200);
			const requested = (await evaluation.json()) as EvaluationInfo;
			assert.equal(requested.actors.length, 2);
			let evaluated = (await status(port)).evaluations[0];
			for (const end = Date.now() + 60_000; evaluated.results.length < 2 && Date.now() < end; evaluated = (await status(port)).evaluations[0]) {
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
			assert.equal(evaluated.evalId, requested.evalId);
			assert.deepEqual(evaluated.results.map((r) => r.actorId).sort(), requested.actors.slice().sort(), 'one episode from each agent');
			assert.ok(evaluated.results.every((r) => r.length > 0 && Number.isFinite(r.return)));
			const evalLines = readFileSync(join(o.runsDir, o.runId, 'metrics.jsonl'), 'utf8')
				.split('\n')
				.filter((line) => line.startsWith(`{"kind":"episode"`) && line.includes(`"evalId":${requested.evalId}`));
			assert.equal(evalLines.length, 2, 'both evaluation episodes are in metrics.jsonl');

			assert.equal((await learner.kill('SIGTERM')).code, 0);
			const files = unzipSync(readFileSync(join(o.runsDir, o.runId, 'checkpoints', 'latest.zip')));
			const state = JSON.parse(strFromU8(files['state.json'])) as {
				algo: string;
				replayIncluded: boolean;
				counters: { policyVersion: number; updates: number };
			};
			assert.equal(state.algo, 'sac');
			assert.equal(state.replayIncluded, true);
			const books = bookTotals(savedRun(o.runsDir, o.runId));
			assert.equal(books.received, books.trained + books.stale + books.overflow + books.rejected + books.held, JSON.stringify(books));
			assert.equal(books.stale, 0, 'off-policy: nothing is stale');

			learner = new LearnerProcess(o);
			await waitFor(() => learner.count(/^run resumed$/) === 1, 'the resume', 60_000, 50);
			await waitFor(
				() => learner.lines.filter((l) => l.msg === 'update').some((l) => Number(l.update) > state.counters.updates),
				'gradient steps after the resume',
				90_000,
				50
			);
			const resumed = await status(port);
			assert.equal(resumed.algo, 'sac');
			assert.ok(resumed.policyVersion > state.counters.policyVersion);
			assert.ok(resumed.replay!.size > SAC.learningStarts, 'the buffer came back with the checkpoint');
			assert.ok(
				agents.every((a) => a.alive),
				'the agents rode out the restart'
			);
		} finally {
			learner.kill('SIGKILL');
			for (const a of agents) a.kill('SIGKILL');
		}
	}
);
