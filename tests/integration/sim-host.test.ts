/**
 * The AC code path on Linux, as three real processes: `bridge-agent sim-host` publishes the car's
 * pages to files and reads a file joystick; `bridge-agent run --source shm` reads those pages
 * through AcReader, drives through GuardedSink, resets with the restart buttons; the learner
 * ingests what it records. `doctor --source shm` checks the same path.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startTestServer } from './helpers.ts';

const PPO = { nSteps: 256, minibatchSize: 64, updateEpochs: 1, hiddenSizes: [16] };
const TOKEN = 'shm-token';
const AGENT = 'bridge-agent/dist/bridge-agent.js';

function start(args: string[]): { child: ChildProcess; log: () => string; exited: Promise<number> } {
	const child = spawn(process.execPath, [AGENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	child.stdout!.on('data', (d) => (log += d));
	child.stderr!.on('data', (d) => (log += d));
	const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
	return { child, log: () => log, exited };
}

async function waitForFile(path: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!existsSync(path)) {
		if (Date.now() > deadline) throw new Error(`no ${path} after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

it('drives a sim-host process through shared-memory pages and the file joystick', { timeout: 60_000 }, async () => {
	const dir = mkdtempSync(join(tmpdir(), 'pitwall-shm-'));
	const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO });
	const learner = `ws://127.0.0.1:${ctx.server.port}/ws/actor`;
	const shm = ['--shm-dir', dir, '--shm-prefix', 'test'];
	const host = start(['sim-host', ...shm, '--track', 'oval', '--time-scale', '4']);
	try {
		await waitForFile(join(dir, 'test-controls'), 10_000);

		const doctor = start(['doctor', '--source', 'shm', ...shm, '--learner', learner, '--token', TOKEN]);
		assert.equal(await doctor.exited, 0, doctor.log());
		assert.match(doctor.log(), /✔ axis echo/);
		assert.match(doctor.log(), /✔ reset/);
		assert.match(doctor.log(), /track oval/);

		const agent = start([
			'run',
			'--source',
			'shm',
			...shm,
			'--learner',
			learner,
			'--token',
			TOKEN,
			'--name',
			'shm-1',
			'--time-scale',
			'4',
			'--batch-steps',
			'50',
			'--max-steps',
			'400',
			'--episode-seconds',
			'4'
		]);
		assert.equal(await agent.exited, 0, agent.log());
		assert.match(agent.log(), /source=ac/, 'the agent took the AC code path');
		assert.match(agent.log(), /stopped steps=400 episodes=([2-9]|\d\d)/);
		const deadline = Date.now() + 5000;
		while (ctx.runtime.ingested < 400 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		assert.equal(ctx.runtime.ingested, 400);
	} finally {
		host.child.kill('SIGTERM');
		const code = await host.exited;
		await ctx.server.close();
		assert.equal(code, 0, host.log());
	}
	assert.match(host.log(), /stopped restarts=([2-9]|\d\d)/, 'episodes ended with button resets');
	assert.equal(existsSync(join(dir, 'test-physics')), false, 'the host removed its pages');
});

it('says the sim host is not running (exit 3) when its pages are absent, and creates nothing', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'pitwall-shm-'));
	for (const command of ['run', 'doctor']) {
		const agent = start([command, '--source', 'shm', '--shm-dir', dir, '--learner', 'ws://127.0.0.1:9/ws/actor']);
		const code = await agent.exited;
		if (command === 'run') {
			assert.equal(code, 3, agent.log());
			assert.match(agent.log(), /not running/);
		} else {
			assert.equal(code, 1, agent.log());
			assert.match(agent.log(), /✖ sim-host pages .*not running/);
		}
	}
	assert.deepEqual(readdirSync(dir), []);
});
