/**
 * Control timing on Windows Node under Wine: doctor reports the timer resolution it raised and the
 * rate and jitter the run's stepper achieves at --control-hz (25, 50 and 100 Hz; the figures are
 * printed — Wine's timers are Linux's, not representative of Windows); doctor and run call winmm's
 * timeBeginPeriod(1) and timeEndPeriod(1), seen in Wine's relay trace (harness.ts, RELAY_WINMM_ENV).
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RELAY_WINMM_ENV, prepareWine, stageAgent, wine, wineserverWait, winPath, type Proc, type WineEnv } from './harness.ts';

const prepared = prepareWine();
const skip = 'skip' in prepared ? prepared.skip : false;
if (skip) process.stdout.write(`# ${skip}\n`);

const NO_LEARNER = 'ws://127.0.0.1:9/ws/actor';
const TIMING =
	/([✔!✖]) control timing +(\d+) Hz (?:held|held, but with jitter|cannot be held): ([\d.]+) Hz over ([\d.]+) s; period error p50 ([\d.]+) ms, p95 ([\d.]+) ms, max ([\d.]+) ms; (\d+) missed; timer 1 ms \(timeBeginPeriod\)/;

/** winmm calls in a relay-traced log, in order. */
const winmmCalls = (log: string) => [...log.matchAll(/Call winmm\.(timeBeginPeriod|timeEndPeriod)\((\w+)\)/g)].map((m) => `${m[1]}(${parseInt(m[2], 16)})`);

describe('control timing under Wine', { skip }, () => {
	let env: WineEnv;
	let work: string;
	let agentJs: string;
	let runs = 0;

	before(() => {
		env = (prepared as { env: WineEnv }).env;
		work = mkdtempSync(join(tmpdir(), 'pitwall-wine-timing-'));
		agentJs = stageAgent(env, work);
	});

	after(() => wineserverWait(env));

	const agent = (args: string[]): Proc => wine(env, env.WINE_NODE, [winPath(agentJs), ...args], join(work, `agent-${++runs}.log`), RELAY_WINMM_ENV);

	for (const hz of [25, 50, 100]) {
		it(`doctor at ${hz} Hz: timer raised to 1 ms, achieved rate and jitter reported, timeBeginPeriod(1)/timeEndPeriod(1) called`, async () => {
			const doctor = agent(['doctor', '--source', 'ac', '--control-hz', String(hz), '--timing-seconds', '3', '--learner', NO_LEARNER]);
			assert.equal(await doctor.exited, 1, 'fails: no AC, no learner');
			const log = doctor.log();
			assert.match(log, /✔ timer resolution +1 ms \(timeBeginPeriod\)/);
			const m = TIMING.exec(log);
			assert.ok(
				m,
				`control timing line:\n${log
					.split('\n')
					.filter((l) => !/^[0-9a-f]{4}:/.test(l))
					.join('\n')}`
			);
			const [, mark, target, achieved, seconds, p50, p95, max, missed] = m;
			assert.equal(Number(target), hz);
			assert.ok(Number(seconds) >= 2.9, `measured ${seconds} s`);
			assert.ok(Number(p50) <= Number(p95) && Number(p95) <= Number(max), 'quantiles in order');
			process.stdout.write(`# Wine ${hz} Hz: ${mark} achieved ${achieved} Hz, period error p50 ${p50} ms, p95 ${p95} ms, max ${max} ms, ${missed} missed\n`);
			assert.deepEqual(winmmCalls(log), ['timeBeginPeriod(1)', 'timeEndPeriod(1)']);
		});
	}

	it('run: timeBeginPeriod(1) before driving, timeEndPeriod(1) on Ctrl-C, the log says which timer', async () => {
		const run = agent(['run', '--source', 'sim', '--control-hz', '50', '--learner', NO_LEARNER]);
		await run.waitFor(/driving .*timer=1 ms \(timeBeginPeriod\)/, 30_000);
		assert.deepEqual(winmmCalls(run.log()), ['timeBeginPeriod(1)'], 'raised for the run, not released yet');
		run.child.kill('SIGINT');
		assert.equal(await run.exited, 0, run.log());
		const log = run.log();
		assert.deepEqual(winmmCalls(log), ['timeBeginPeriod(1)', 'timeEndPeriod(1)']);
		assert.ok(log.indexOf('Call winmm.timeEndPeriod') > log.indexOf('SIGINT: stopping'), 'released when the run ends');
	});
});
