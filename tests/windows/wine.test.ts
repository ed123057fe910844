/**
 * The bridge-agent's Windows code path, really executed: the Windows build of Node under Wine,
 * koffi's win32 binary calling kernel32 (OpenFileMappingW/MapViewOfFile on Local\acpmf_*),
 * advapi32 (vJoy's registry entry) and a fake vJoyInterface.dll, against a fake AC fed by the
 * simulated car — whose speed changes when the agent pushes the fake vJoy's throttle axis.
 * Skipped, saying why, where Wine cannot be installed (not root, no apt): see harness.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Track } from '../../bridge-agent/src/driving/track.ts';
import { startTestServer } from '../integration/helpers.ts';
import { Game, prepareWine, readVJoyState, resetChannelDir, stageAgent, wine, wineserverWait, winPath, type Proc, type WineEnv } from './harness.ts';

const prepared = prepareWine();
const skip = 'skip' in prepared ? prepared.skip : false;
if (skip) process.stdout.write(`# ${skip}\n`);

const TOKEN = 'wine-token';
const PPO = { nSteps: 256, minibatchSize: 64, updateEpochs: 1, hiddenSizes: [16] };
const NEUTRAL_AXES = [0x4000, 0x1, 0x1]; // X centred, Y (throttle) and Z (brake) released

describe('the Windows agent under Wine', { skip }, () => {
	let env: WineEnv;
	let work: string;
	let agentJs: string;
	let runs = 0;
	const games: Game[] = [];

	before(() => {
		env = (prepared as { env: WineEnv }).env;
		work = mkdtempSync(join(tmpdir(), 'pitwall-wine-'));
		agentJs = stageAgent(env, work);
		// The track line a user records with record-line: here the sim's oval, in AC's x/z.
		const oval = Track.named('oval');
		const points = Array.from(oval.x, (x, i) => [x, oval.y[i]]);
		writeFileSync(join(work, 'track-line.json'), JSON.stringify({ name: 'oval', halfWidth: oval.halfWidth, points }));
	});

	after(async () => {
		for (const game of games) await game.stop();
		wineserverWait(env);
	});

	const agent = (args: string[], game?: Game): Proc =>
		wine(env, env.WINE_NODE, [winPath(agentJs), ...args], join(work, `agent-${++runs}.log`), game?.agentEnv ?? {});

	/** A fresh game; the previous one quits first (two fake ACs would share the mappings). */
	async function newGame(smVersion?: string): Promise<Game> {
		for (const old of games) await old.stop();
		const game = new Game(env, work, smVersion);
		games.push(game);
		await game.startHost();
		await game.startAc();
		return game;
	}

	/** The calls made to the fake vJoy of a game (one agent process per game where it matters). */
	const callsOf = (game: Game) => game.vjoyCalls().map((line) => line.split(' ').slice(2).join(' '));

	it('--help runs on Windows Node and lists --vjoy-dll', async () => {
		const help = agent(['--help']);
		assert.equal(await help.exited, 0, help.log());
		assert.match(help.log(), /Usage: bridge-agent/);
		assert.match(help.log(), /--vjoy-dll/);
	});

	it("the package's launcher: node on PATH, else the bundled node\\node.exe; arguments and exit code pass through", async () => {
		const dir = dirname(agentJs);
		const cmd = (name: string, extra: Record<string, string>) =>
			wine(env, 'cmd', ['/c', winPath(join(dir, 'pitwall-agent.cmd')), '--help'], join(work, name), extra);
		const onPath = cmd('launcher-path.log', { WINEPATH: winPath(dirname(env.WINE_NODE)) });
		assert.equal(await onPath.exited, 0, onPath.log());
		assert.match(onPath.log(), /Usage: bridge-agent/);
		const without = cmd('launcher-none.log', { WINEPATH: '' });
		assert.equal(await without.exited, 1, 'no node anywhere: the launcher fails');
		assert.match(without.log(), /Node\.js not found/);
		mkdirSync(join(dir, 'node'));
		symlinkSync(env.WINE_NODE, join(dir, 'node/node.exe'));
		try {
			const bundled = cmd('launcher-bundled.log', { WINEPATH: '' });
			assert.equal(await bundled.exited, 0, bundled.log());
			assert.match(bundled.log(), /Usage: bridge-agent/);
			const bad = wine(env, 'cmd', ['/c', winPath(join(dir, 'pitwall-agent.cmd')), 'run', '--no-such-flag'], join(work, 'launcher-bad.log'));
			assert.equal(await bad.exited, 2, `a usage error's exit code 2 comes through:\n${bad.log()}`);
		} finally {
			rmSync(join(dir, 'node'), { recursive: true, force: true });
		}
	});

	it('doctor without the game: says AC is not running (exit 1), still checks vJoy where vJoy installs it', async () => {
		const doctor = agent(['doctor', '--source', 'ac', '--learner', 'ws://127.0.0.1:9/ws/actor']);
		assert.equal(await doctor.exited, 1, doctor.log());
		const log = doctor.log();
		assert.match(log, /✖ AC shared memory .*Assetto Corsa is not running/);
		assert.match(log, /✔ vJoy DLL +C:\\Program Files\\vJoy\\x64\\vJoyInterface\.dll \(registry DllX64Location\)/);
		assert.match(log, /✔ vJoy device +device 1 free/);
	});

	it('doctor: a --vjoy-dll that is not there is named; record-line needs no vJoy at all', async () => {
		const game = await newGame();
		const missing = 'C:\\nowhere\\vJoyInterface.dll';
		const doctor = agent(['doctor', '--source', 'ac', '--vjoy-dll', missing, '--learner', 'ws://127.0.0.1:9/ws/actor'], game);
		assert.equal(await doctor.exited, 1, doctor.log());
		assert.match(doctor.log(), /✖ vJoy DLL +C:\\nowhere\\vJoyInterface\.dll \(--vjoy-dll\): not found/);

		const record = agent(['record-line', '--source', 'ac', '--vjoy-dll', missing, '--max-seconds', '1', '--out', winPath(join(work, 'x.json'))], game);
		assert.equal(await record.exited, 1, record.log());
		assert.match(record.log(), /never crossed the start line/, 'it recorded from the pages without loading vJoy');
	});

	it('doctor with the game: every check passes, the axis echo reads the game, neutral right after acquiring, BOOLs are 0/1', async () => {
		const game = await newGame();
		const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO });
		try {
			const learner = `ws://127.0.0.1:${ctx.server.port}/ws/actor`;
			const doctor = agent(['doctor', '--source', 'ac', '--learner', learner, '--token', TOKEN], game);
			assert.equal(await doctor.exited, 0, doctor.log());
			const log = doctor.log();
			for (const check of ['AC pages', 'AC version', 'packetId advancing', 'vJoy DLL', 'vJoy device', 'vJoy acquired', 'reset', 'learner'])
				assert.match(log, new RegExp(`✔ ${check}`), `${check}:\n${log}`);
			assert.match(log, /✔ axis echo \(throttle → gas\)/);
			assert.match(log, /✔ axis echo \(brake → brake\)/);
			assert.match(log, /✔ axis echo \(steer → steerAngle\)/);
			assert.match(log, /all checks passed/);

			const calls = callsOf(game);
			assert.deepEqual(
				calls.filter((c) => c.startsWith('BAD')),
				[],
				'every argument within the SDK contract'
			);
			const acquired = calls.findIndex((c) => c.startsWith('AcquireVJD(1) = 1'));
			assert.ok(acquired >= 0, calls.join('\n'));
			const following = calls.slice(acquired + 1, acquired + 6).filter((c) => c.startsWith('SetAxis'));
			assert.ok(
				following.includes('SetAxis(0x1, 1, 0x31) = 1') && following.includes('SetAxis(0x1, 1, 0x32) = 1'),
				`neutral pedals right after acquiring:\n${calls.slice(acquired, acquired + 8).join('\n')}`
			);
			assert.match(log, /✔ reset +csp: lap timer \d\.\d s, out of the pit, speed [\d.]+ → [\d.]+ km\/h under throttle/);
			assert.match(log, /✔ reset method +csp: the in-game app pitwall_reset answered \(C:\\users\\[^\\]+\\Documents\\Assetto Corsa\\pitwall\\reset-request\)/);
			assert.match(game.ac!.log(), /fake-ac: reset request \d+: ac\.ext_resetCar\(\)/, 'the game got the request through the file channel');
			assert.ok(!calls.some((c) => c.startsWith('SetBtn(0x1, 1, 7)')), 'no restart button: the in-game app reset the car');
			const state = readVJoyState(game.vjoyState)!;
			assert.equal(state.owner, 0, 'relinquished');
			assert.deepEqual(state.axes.slice(0, 3), NEUTRAL_AXES, 'left neutral');
			assert.equal(state.buttons, 0, 'no button held');
		} finally {
			await ctx.server.close();
		}
	});

	it('doctor finds which reset works: no in-game app → the buttons (a warning); --reset csp without CSP → fails naming CSP', async () => {
		const game = games[games.length - 1];
		game.command('LIVE NOAPP');
		try {
			const before = game.vjoyCalls().length;
			const doctor = agent(['doctor', '--source', 'ac', '--timing-seconds', '0', '--learner', 'ws://127.0.0.1:9/ws/actor'], game);
			assert.equal(await doctor.exited, 1, doctor.log());
			const log = doctor.log();
			assert.deepEqual(
				log.split('\n').filter((l) => l.startsWith('✖') && !l.startsWith('✖ learner')),
				[],
				'only the learner (none here) fails'
			);
			assert.match(log, /✔ reset +buttons \(in-game app: no answer to .*reset-request within 1500 ms: the pitwall_reset app is not installed .*\): lap timer/);
			assert.match(log, /! reset method +buttons: no answer .*run uses the vJoy buttons 7 and 9/);
			const calls = callsOf(game).slice(before);
			for (const button of [7, 9])
				assert.ok(calls.includes(`SetBtn(0x1, 1, ${button}) = 1`) && calls.includes(`SetBtn(0x0, 1, ${button}) = 1`), `button ${button} pressed and released`);

			game.command('LIVE NOCSP');
			const csp = agent(['doctor', '--source', 'ac', '--reset', 'csp', '--timing-seconds', '0', '--learner', 'ws://127.0.0.1:9/ws/actor'], game);
			assert.equal(await csp.exited, 1, csp.log());
			assert.match(csp.log(), /✖ reset +csp: not confirmed after 2 tries: ac\.ext_resetCar is missing: install Custom Shaders Patch/);
			assert.doesNotMatch(csp.log(), /reset method/, '--reset csp: nothing to choose');
		} finally {
			game.command('LIVE');
		}
	});

	it('doctor: the axis echo fails when the game does not see the joystick (not bound)', async () => {
		const game = games[games.length - 1];
		game.command('LIVE UNBOUND');
		try {
			const doctor = agent(['doctor', '--source', 'ac', '--learner', 'ws://127.0.0.1:9/ws/actor'], game);
			assert.equal(await doctor.exited, 1, doctor.log());
			assert.match(doctor.log(), /✖ axis echo \(throttle → gas\) .*map vJoy/);
			assert.match(doctor.log(), /– reset .*not tried: the game does not follow the throttle axis/);
		} finally {
			game.command('LIVE');
		}
	});

	it('refuses Assetto Corsa Competizione (same page names, another layout) by static.smVersion', async () => {
		const game = await newGame('1.9');
		const doctor = agent(['doctor', '--source', 'ac', '--learner', 'ws://127.0.0.1:9/ws/actor'], game);
		assert.equal(await doctor.exited, 1, doctor.log());
		assert.match(doctor.log(), /✖ AC version .*1\.9/);
		const run = agent(['run', '--source', 'ac', '--line', winPath(join(work, 'track-line.json'))], game);
		assert.equal(await run.exited, 1, run.log());
		assert.match(run.log(), /Competizione|shared memory version 1\.9/);
		await game.stop();
	});

	it(
		'run --source ac: ~1000 steps to a learner, weights applied, the car speeds up; pause, replay and quit noticed within 2 s (neutral, nothing recorded), resumed; Ctrl-C leaves vJoy neutral and free',
		{ timeout: 240_000 },
		async () => {
			const game = await newGame();
			const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: PPO });
			const speeds: number[] = [];
			const sampler = setInterval(() => speeds.push(game.speedKmh()), 100);
			try {
				const learner = `ws://127.0.0.1:${ctx.server.port}/ws/actor`;
				const args = ['run', '--source', 'ac', '--line', winPath(join(work, 'track-line.json')), '--learner', learner, '--token', TOKEN];
				// A response left by an earlier session, as a user has after their first day: the app must
				// replace it while the agent polls it (it failed to, and every reset timed out).
				mkdirSync(resetChannelDir(env), { recursive: true });
				writeFileSync(join(resetChannelDir(env), 'reset-response'), '3 ok\n');
				const run = agent([...args, '--name', 'wine-1', '--control-hz', '50', '--batch-steps', '50', '--episode-seconds', '12', '--reset', 'csp'], game);
				await run.waitFor(/driving/, 30_000);
				const until = async (check: () => boolean, what: string, ms: number) => {
					const deadline = Date.now() + ms;
					while (!check()) {
						if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms:\n${run.log()}`);
						await new Promise((resolve) => setTimeout(resolve, 20));
					}
				};
				await until(() => ctx.runtime.ingested >= 200, '200 steps ingested', 60_000);

				const neutral = () => {
					const s = readVJoyState(game.vjoyState);
					return !!s && s.axes[0] === NEUTRAL_AXES[0] && s.axes[1] === NEUTRAL_AXES[1] && s.axes[2] === NEUTRAL_AXES[2];
				};
				const notices = (pattern: RegExp) => (run.log().match(new RegExp(pattern.source, 'g')) ?? []).length;
				const interruption = async (word: string, pattern: RegExp, resume: () => Promise<void>) => {
					const seen = notices(pattern);
					const resumed = notices(/game live again/);
					const started = Date.now();
					if (word === 'QUIT') await game.quitAc();
					else game.command(word);
					await until(() => notices(pattern) > seen, `${word} noticed`, 2000);
					await until(neutral, `${word}: controls neutral`, 2000 - (Date.now() - started) + 100);
					const noticedMs = Date.now() - started;
					await new Promise((resolve) => setTimeout(resolve, 300));
					const stored = ctx.runtime.ingested;
					await new Promise((resolve) => setTimeout(resolve, 1500));
					assert.ok(ctx.runtime.ingested <= stored, `${word}: nothing recorded while the game is not live`);
					assert.ok(neutral(), `${word}: still neutral`);
					await resume();
					await until(() => notices(/game live again/) > resumed, `${word}: resumed`, 10_000);
					return noticedMs;
				};
				const pauseMs = await interruption('PAUSE', /game not live: paused/, async () => game.command('LIVE'));
				const replayMs = await interruption('REPLAY', /game not live: replay/, async () => game.command('LIVE'));
				const quitMs = await interruption('QUIT', /game not live: (frozen|gone)/, () => game.startAc());
				process.stdout.write(`# noticed: pause ${pauseMs} ms, replay ${replayMs} ms, quit ${quitMs} ms\n`);

				await until(() => ctx.runtime.ingested >= 1000, '1000 steps ingested', 120_000);
				run.child.kill('SIGINT'); // arrives in node.exe as CTRL_C_EVENT
				assert.equal(await run.exited, 0, run.log());
				const log = run.log();
				assert.match(log, /\[supervisor\] SIGINT: stopping the control process/);
				assert.match(log, /stdin closed \(the supervisor stopped this process, or died\): stopping/, 'the supervisor stops its child');
				assert.match(log, /\[supervisor\] control process ended; vJoy device 1 set neutral and relinquished .*status=0/);
				const stopped = /stopped steps=(\d+) episodes=(\d+).* policyVersion=(\d+)/.exec(log);
				assert.ok(stopped, log);
				assert.ok(Number(stopped[3]) >= 2, `weights applied and updated (policy v${stopped[3]})`);
				process.stdout.write(`# ${stopped[0]}\n# ingested ${ctx.runtime.ingested}\n`);

				const calls = callsOf(game);
				assert.deepEqual(
					calls.filter((c) => c.startsWith('BAD')),
					[]
				);
				const throttles = new Set(calls.filter((c) => c.includes(', 1, 0x31)')).map((c) => c.split(',')[0]));
				assert.ok(throttles.size > 20, `the throttle axis moved (${throttles.size} values)`);
				assert.equal(calls.at(-1), 'RelinquishVJD(1)', 'the device is given back on Ctrl-C');
				const state = readVJoyState(game.vjoyState)!;
				assert.equal(state.owner, 0);
				assert.deepEqual(state.axes.slice(0, 3), NEUTRAL_AXES, 'neutral on exit');
				const confirmed = (log.match(/reset confirmed.*csp: lap timer/g) ?? []).length;
				const failed = (log.match(/reset not confirmed/g) ?? []).length;
				process.stdout.write(`# resets through the in-game app (--reset csp): ${confirmed} confirmed of ${confirmed + failed}\n`);
				assert.ok(confirmed >= 1, `an episode ended in a confirmed CSP reset:\n${log}`);
				assert.equal(failed, 0, `every CSP reset was confirmed:\n${log}`);
				const top = Math.max(...speeds.filter(Number.isFinite));
				process.stdout.write(`# top speed ${top.toFixed(1)} km/h; sim host restarts: ${/stopped restarts=(\d+)/.exec((await stopHost(game)) ?? '')?.[1]}\n`);
				assert.ok(top > 10, `the car moved under the agent's throttle (top ${top.toFixed(1)} km/h)`);
			} finally {
				clearInterval(sampler);
				await ctx.server.close();
			}
		}
	);
});

async function stopHost(game: Game): Promise<string | undefined> {
	if (!game.host) return undefined;
	game.host.child.kill('SIGTERM');
	await game.host.exited;
	return game.host.log();
}
