/**
 * The bundled bridge-agent as a real process against a real learner: it trains, survives the
 * learner being stopped and restarted mid-stream, and every step it recorded arrives exactly once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startTestServer, waitFor } from './helpers.ts';

const PPO = { nSteps: 512, minibatchSize: 128, updateEpochs: 1, hiddenSizes: [16] };
const TOKEN = 'agent-token';

it('streams every recorded step exactly once across a learner restart', { timeout: 120_000 }, async () => {
	const runsDir = mkdtempSync(join(tmpdir(), 'pitwall-agent-'));
	const first = await startTestServer({ actorToken: TOKEN }, { runsDir, runId: 'agent-e2e', ppo: PPO });
	const port = first.server.port;
	const agent = spawn(
		process.execPath,
		[
			'bridge-agent/dist/bridge-agent.js',
			'run',
			'--learner',
			`ws://127.0.0.1:${port}/ws/actor`,
			'--token',
			TOKEN,
			'--name',
			'proc-1',
			'--time-scale',
			'25',
			'--batch-steps',
			'64',
			'--max-steps',
			'4000',
			'--track',
			'oval'
		],
		{ stdio: ['ignore', 'ignore', 'pipe'] }
	);
	let log = '';
	agent.stderr.on('data', (d) => (log += d));
	const exited = new Promise<number>((resolve) => agent.on('exit', (code) => resolve(code ?? -1)));

	await waitFor(
		() => first.runtime.ingested >= 1024 && first.runtime.status().updates >= 1,
		`first learner to train (ingested ${first.runtime.ingested}, updates ${first.runtime.status().updates}) ${log.slice(-500)}`,
		30_000
	);
	await first.server.close(); // graceful: stops taking data, checkpoints every actor's last seq
	const before = first.runtime.ingested;
	await new Promise((resolve) => setTimeout(resolve, 500)); // the agent keeps driving into its buffer

	const second = await startTestServer({ actorToken: TOKEN, port }, { runsDir, runId: 'agent-e2e', ppo: PPO });
	try {
		await second.runtime.started;
		assert.equal(await exited, 0, log);
		const recorded = Number(/stopped steps=(\d+)/.exec(log)?.[1]);
		assert.ok(recorded >= 3000, `agent recorded ${recorded} steps`);
		await waitFor(() => before + second.runtime.ingested === recorded, `all ${recorded} steps (have ${before} + ${second.runtime.ingested})`, 5000);
		assert.ok(/reconnecting/.test(log), 'the agent noticed the learner going away');
		assert.ok(second.runtime.status().updates > 1, 'training continued after the restart');
		assert.equal(second.runtime.actorInfos().length, 0, 'the agent disconnected cleanly');
	} finally {
		agent.kill();
		await second.server.close();
	}
});

it("drives in remote mode from the learner's control chunks", { timeout: 60_000 }, async () => {
	const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO, controlChunk: 8 });
	try {
		const agent = spawn(
			process.execPath,
			[
				'bridge-agent/dist/bridge-agent.js',
				'run',
				'--learner',
				`ws://127.0.0.1:${ctx.server.port}/ws/actor`,
				'--token',
				TOKEN,
				'--name',
				'remote-1',
				'--mode',
				'remote',
				'--time-scale',
				'10',
				'--batch-steps',
				'50',
				'--max-steps',
				'300',
				'--track',
				'oval'
			],
			{ stdio: ['ignore', 'ignore', 'pipe'] }
		);
		let log = '';
		agent.stderr.on('data', (d) => (log += d));
		const code = await new Promise<number>((resolve) => agent.on('exit', (c) => resolve(c ?? -1)));
		assert.equal(code, 0, log);
		assert.match(log, /stopped steps=300 /);
		await waitFor(() => ctx.runtime.ingested === 300, `300 remote-mode steps (have ${ctx.runtime.ingested})`, 5000);
	} finally {
		await ctx.server.close();
	}
});

it('refuses bad command lines with a clear message and exit code 2', async () => {
	for (const args of [
		['--bogus'],
		['run', '--control-hz', 'fast'],
		['run', '--mode', 'telepathic'],
		['fly'],
		['--reward', '{"tyreOutPenalty":-1}'],
		['--reward', '{"bonus":1}'],
		['--reward', 'nope'],
		['--start', 'middle'],
		['sim-host', '--publish-hz', '0'],
		['sim-host', '--track', 'monza'],
		['sim-host', '--bogus']
	]) {
		const child = spawn(process.execPath, ['bridge-agent/dist/bridge-agent.js', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
		assert.equal(code, 2, `${args.join(' ')}: ${err}`);
		assert.match(err, /bridge-agent: |unknown command/);
	}
});
