/**
 * `run --source ac` under Wine runs the control loop in a child of a small supervisor. Killed hard
 * mid-run (SIGKILL to its Wine process: no cleanup at all, vJoy keeps its last axes), the
 * control process leaves the fake vJoy's device non-neutral; the supervisor then acquires it,
 * sets every axis neutral, releases the buttons and relinquishes it — the call log ends with
 * those calls from the supervisor's process — and exits with the child's status.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Track } from '../../bridge-agent/src/driving/track.ts';
import { startTestServer } from '../integration/helpers.ts';
import { Game, prepareWine, readVJoyState, stageAgent, wine, wineserverWait, winPath, type WineEnv } from './harness.ts';

const prepared = prepareWine();
const skip = 'skip' in prepared ? prepared.skip : false;
if (skip) process.stdout.write(`# ${skip}\n`);

const TOKEN = 'wine-token';
const PPO = { nSteps: 256, minibatchSize: 64, updateEpochs: 1, hiddenSizes: [16] };

/** The Linux pids of Wine processes whose command line holds every one of `parts`. */
function linuxPids(...parts: string[]): number[] {
	return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
		.split('\n')
		.filter((line) => parts.every((part) => line.includes(part)))
		.map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function until(check: () => boolean, what: string, ms: number, log: () => string): Promise<void> {
	const deadline = Date.now() + ms;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms:\n${log()}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

describe('the supervisor under Wine', { skip }, () => {
	let env: WineEnv;
	let work: string;
	let agentJs: string;
	let game: Game;

	before(async () => {
		env = (prepared as { env: WineEnv }).env;
		work = mkdtempSync(join(tmpdir(), 'pitwall-wine-supervisor-'));
		agentJs = stageAgent(env, work);
		const oval = Track.named('oval');
		writeFileSync(
			join(work, 'track-line.json'),
			JSON.stringify({ name: 'oval', halfWidth: oval.halfWidth, points: Array.from(oval.x, (x, i) => [x, oval.y[i]]) })
		);
		game = new Game(env, work);
		await game.startHost();
		await game.startAc();
	});

	after(async () => {
		await game?.stop();
		wineserverWait(env);
	});

	it(
		'the control process killed hard mid-run: the supervisor leaves vJoy neutral and relinquished, and exits with its status',
		{ timeout: 120_000 },
		async () => {
			const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO });
			try {
				const learner = `ws://127.0.0.1:${ctx.server.port}/ws/actor`;
				const args = ['run', '--source', 'ac', '--line', winPath(join(work, 'track-line.json')), '--learner', learner, '--token', TOKEN, '--control-hz', '50'];
				const run = wine(env, env.WINE_NODE, [winPath(agentJs), ...args], join(work, 'run.log'), game.agentEnv);
				await run.waitFor(/\[supervisor\] supervising the control process pid=(\d+)/, 30_000);
				const childWinPid = Number(/supervising the control process pid=(\d+)/.exec(run.log())![1]);
				await run.waitFor(/driving/, 30_000);
				// The policy drives: wait until vJoy holds a throttle a dead owner would leave applied.
				await until(() => (readVJoyState(game.vjoyState)?.axes[1] ?? 0) > 0x800, 'throttle applied', 60_000, run.log);

				const [childPid, ...others] = linuxPids(winPath(agentJs), '--no-supervisor');
				assert.ok(childPid && others.length === 0, `one control process: ${childPid} ${others}`);
				process.kill(childPid, 'SIGKILL');
				const status = await run.exited;
				const log = run.log();
				assert.doesNotMatch(log, /stopped steps=/, 'the control process died without its own cleanup');
				const ended = /\[supervisor\] control process ended; vJoy device 1 set neutral and relinquished .*status=(\d+)/.exec(log);
				assert.ok(ended, log);
				assert.equal(status, Number(ended[1]), "the supervisor exits with the child's status");

				const calls = game.vjoyCalls().map((line) => line.split(' ').slice(1)); // [pid, call…]
				const supervisorCalls = calls.filter(([pid]) => Number(pid) !== childWinPid).map((c) => c.slice(1).join(' '));
				assert.deepEqual(supervisorCalls.slice(-7), [
					'AcquireVJD(1) = 1',
					'SetAxis(0x4000, 1, 0x30) = 1',
					'SetAxis(0x1, 1, 0x31) = 1',
					'SetAxis(0x1, 1, 0x32) = 1',
					'SetAxis(0x1, 1, 0x35) = 1',
					'ResetButtons(1) = 1',
					'RelinquishVJD(1)'
				]);
				assert.deepEqual(calls.at(-1)!.slice(1), ['RelinquishVJD(1)'], "the log ends with the supervisor's relinquish");
				assert.deepEqual(
					calls.filter((c) => c[1].startsWith('BAD')),
					[]
				);
				const state = readVJoyState(game.vjoyState)!;
				assert.equal(state.owner, 0, 'relinquished');
				assert.deepEqual([state.axes[0], state.axes[1], state.axes[2], state.axes[5]], [0x4000, 0x1, 0x1, 0x1], 'neutral');
				assert.equal(state.buttons, 0);
				process.stdout.write(`# control process killed; supervisor exit status ${status}\n`);
			} finally {
				await ctx.server.close();
			}
		}
	);
});
