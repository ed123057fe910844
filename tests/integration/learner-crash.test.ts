/**
 * The learner killed with SIGKILL three times mid-run and started again with its run id, while two
 * agent processes (as on game PCs: not its children) keep driving: training resumes each time,
 * metrics.jsonl and TensorBoard stay monotonic in step, and every step the agents recorded is in
 * the run's books once — received (then trained, dropped with a reason, or held) or counted as
 * dropped by the agent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { AgentProcess, BUILT, bookTotals, freePort, LearnerProcess, metricSteps, savedRun, strictlyIncreasing } from '../fixtures/fleet.ts';
import { heldInCheckpoint } from '../../src/lib/server/runtime/checkpoint-extras.ts';
import { tensorboardView } from '../fixtures/tfevents-reader.ts';
import { waitFor } from './helpers.ts';

// Checkpoints every 3 updates: a crash loses updates and stored steps that the agents must resend.
const LEARNER_ARGS = ['--checkpoint-every-updates', '3', '--ppo', '{"nSteps":1024}', '--log-level', 'debug'];
const AGENT_ARGS = ['--steps-per-policy', '512', '--learner-timeout-ms', '3000', '--batch-steps', '64'];

it(
	'a learner SIGKILLed ×3 resumes each time and loses nothing its agents recorded',
	{ skip: !BUILT && 'build/server.js or the agent bundle not built (npm run build)', timeout: 300_000 },
	async () => {
		const port = await freePort();
		const o = { port, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-crash-')), runId: 'crash', args: LEARNER_ARGS };
		let learner = new LearnerProcess(o);
		const agents = [1, 2].map((i) => new AgentProcess({ url: learner.url, name: `car-${i}`, seed: i, args: AGENT_ARGS }));
		try {
			for (let crash = 1; crash <= 3; crash++) {
				// Killed between checkpoints: after update 4 or 5 of this incarnation.
				const at = 3 + crash;
				const betweenCheckpoints = () => Number(learner.lines.filter((l) => l.msg === 'update').at(-1)?.update) % 3 !== 0;
				await waitFor(() => learner.count(/^update$/) >= at && betweenCheckpoints(), `update ${at} before crash ${crash}`, 90_000, 20);
				await learner.kill('SIGKILL');
				learner = new LearnerProcess(o);
				await waitFor(() => learner.count(/^run resumed$/) === 1, `the resume after crash ${crash}`, 60_000, 50);
				// Killed between checkpoints: the dead process had handed out later versions; the resumed
				// policy is numbered past them (and past maxPolicyLag), so their resent steps are stale.
				const resumed = learner.line(/^run resumed$/)!;
				assert.ok(Number(resumed.policyVersion) > Number(resumed.savedVersion), JSON.stringify(resumed));
			}
			await waitFor(() => learner.count(/^update$/) >= 2, 'two updates after the last restart', 90_000, 50);
			assert.ok(
				agents.every((a) => a.alive),
				'the agents rode out every crash'
			);
			await Promise.all(agents.map((a) => a.kill('SIGTERM')));
			assert.equal((await learner.kill('SIGTERM')).code, 0);
		} finally {
			learner.kill('SIGKILL');
			for (const a of agents) a.kill('SIGKILL');
		}

		const stopped = agents.map((a) => a.stopped()!);
		assert.ok(
			stopped.every((s) => s !== undefined),
			'each agent logged its figures at exit'
		);
		const recorded = stopped.reduce((sum, s) => sum + s.recordedSteps, 0);
		const droppedByAgents = stopped.reduce((sum, s) => sum + s.droppedSteps + s.unstoredSteps, 0);
		const books = bookTotals(savedRun(o.runsDir, o.runId));
		assert.equal(books.skippedBatches, 0, 'no batch went missing');
		assert.equal(books.received + droppedByAgents, recorded, `recorded ${recorded} = received ${books.received} + dropped by agents ${droppedByAgents}`);
		assert.ok(stopped.reduce((sum, s) => sum + s.resentBatches, 0) > 0, 'the agents resent what the crashed learners had stored but not checkpointed');
		assert.ok(books.stale > 0, 'steps of the policies lost in the crashes are counted stale');
		const held = heldInCheckpoint(readFileSync(join(o.runsDir, o.runId, 'checkpoints', 'latest.zip')));
		assert.equal(
			books.held,
			held.reduce((n, h) => n + h.batch.n, 0),
			'what the books call waiting is what the checkpoint holds'
		);

		const steps = metricSteps(o.runsDir, o.runId);
		assert.ok(strictlyIncreasing(steps), `metrics.jsonl steps go backwards: ${steps.join(',')}`);
		for (const loader of ['python', 'rust'] as const) {
			const view = tensorboardView(join(o.runsDir, o.runId), loader);
			for (const [tag, series] of Object.entries(view)) assert.ok(strictlyIncreasing(series.steps), `${loader} TensorBoard: ${tag} goes backwards`);
			assert.ok(view['charts/episodic_return']?.steps.length > 0, 'episodes reach TensorBoard');
		}
	}
);

it(
	'--run-id resume with the learner’s own simulated actors: killed with SIGKILL, started again, it updates within 30 s',
	{ skip: !BUILT && 'build/server.js or the agent bundle not built (npm run build)', timeout: 180_000 },
	async () => {
		const o = { port: await freePort(), runsDir: mkdtempSync(join(tmpdir(), 'pitwall-resume-')), runId: 'own-actors', simActors: 2, args: LEARNER_ARGS };
		let learner = new LearnerProcess(o);
		try {
			await waitFor(() => learner.count(/^checkpoint saved$/) >= 1, 'a checkpoint', 90_000, 50);
			const children = learner.children();
			assert.equal(children.length, 2);
			await learner.kill('SIGKILL');
			learner = new LearnerProcess(o);
			const restartedAt = Date.now();
			await waitFor(() => learner.count(/^update$/) >= 2, 'two updates after the restart', 30_000, 50);
			assert.ok(Date.now() - restartedAt < 30_000);
			const alive = () =>
				children.filter((pid) => {
					try {
						process.kill(pid, 0);
						return true;
					} catch {
						return false;
					}
				});
			// They stop the graceful way when their stdin closes (3 s at most before a hard exit).
			await waitFor(() => alive().length === 0, 'the first learner’s children to die with it', 10_000, 50);
		} finally {
			await learner.kill('SIGTERM');
		}
	}
);
