/**
 * An agent process killed with SIGKILL and restarted under the same name (a game PC rebooting):
 * the new process's batches are stored and trained on, never acked and thrown away as resends of
 * its predecessor's sequence numbers. Real processes, a real learner on loopback.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { it } from 'node:test';
import { startTestServer, waitFor } from './helpers.ts';

const PPO = { nSteps: 512, minibatchSize: 128, updateEpochs: 1, hiddenSizes: [16] };
const TOKEN = 'restart-token';
const RESTARTS = 10;

function agent(port: number): ChildProcess {
	const args = ['bridge-agent/dist/bridge-agent.js', 'run', '--learner', `ws://127.0.0.1:${port}/ws/actor`, '--token', TOKEN];
	args.push('--name', 'rig-1', '--time-scale', 'max', '--batch-steps', '64', '--track', 'oval', '--log-level', 'warn');
	return spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
}

it('a restarted agent with the same name is stored after its predecessor, not taken for a resend', { timeout: 180_000 }, async () => {
	const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO });
	try {
		let stored = 0;
		for (let run = 0; run <= RESTARTS; run++) {
			const child = agent(ctx.server.port);
			const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
			const target = stored + 1024;
			// Every process gets its steps stored: before the fix the learner acked and discarded a
			// restarted process's batches (seq ≤ its predecessor's), and this waited forever.
			await waitFor(() => ctx.runtime.ingested >= target, `process ${run} to have 1024 steps stored (at ${ctx.runtime.ingested})`, 60_000);
			child.kill('SIGKILL');
			await exited;
			await waitFor(() => ctx.runtime.actorCount === 0, 'the killed actor to leave', 30_000);
			// No close frame from a killed process: lost at once, not after the heartbeat timeout.
			assert.ok(
				ctx.runtime.alerts.open.some((a) => a.kind === 'actor-lost' && a.actorId === 'rig-1'),
				'actor-lost alert after SIGKILL'
			);
			stored = ctx.runtime.ingested;
			const actor = ctx.runtime.status();
			assert.equal(actor.buffer.droppedOverflow, 0);
		}
		await waitFor(() => ctx.runtime.status().updates >= 4, 'updates on the restarted processes’ data', 60_000);
		// Every batch the processes sent is in the books once: no gap, no resend taken for new data.
		const books = ctx.runtime.status().transitions;
		assert.equal(books.received, ctx.runtime.ingested);
		assert.equal(books.skippedBatches, 0);
		assert.equal(books.held, ctx.runtime.training.store!.heldSteps, 'what the books call waiting is what the store holds');
		assert.ok(books.trained >= 4 * PPO.nSteps);
	} finally {
		await ctx.server.close();
	}
});

it('a resumed run (--run-id) trains on new agent processes of the same names', { timeout: 180_000 }, async () => {
	const first = await startTestServer({ actorToken: TOKEN }, { ppo: PPO, runId: 'resume-me' });
	const { runsDir } = first;
	let child = agent(first.server.port);
	await waitFor(() => first.runtime.status().updates >= 2, 'the first learner to train', 60_000);
	child.kill('SIGKILL');
	await first.server.close(); // checkpoints every actor's last seq
	const second = await startTestServer({ actorToken: TOKEN }, { ppo: PPO, runId: 'resume-me', runsDir });
	try {
		await second.runtime.started;
		const resumedAt = second.runtime.status().updates;
		assert.ok(resumedAt >= 2, `resumed at update ${resumedAt}`);
		child = agent(second.server.port);
		// Before the fix the new process's seqs (from 0) were all ≤ the checkpoint's: acked, discarded, no update ever.
		await waitFor(() => second.runtime.status().updates >= resumedAt + 2, 'updates after the resume', 60_000);
		child.kill('SIGKILL');
	} finally {
		child.kill('SIGKILL');
		await second.server.close();
	}
});
