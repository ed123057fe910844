/**
 * `bridge-agent vjoy-test` on Windows Node under Wine against the fake vJoyInterface.dll (found
 * where vJoy installs it): the call log shows each axis swept alone with its HID usage, values in
 * 0x1…0x8000, BOOLs 0/1, and the device neutral and relinquished at the end — also after Ctrl-C.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareWine, readVJoyState, stageAgent, wine, wineserverWait, winPath, type Proc, type WineEnv } from './harness.ts';

const prepared = prepareWine();
const skip = 'skip' in prepared ? prepared.skip : false;
if (skip) process.stdout.write(`# ${skip}\n`);

const NEUTRAL: Record<string, number> = { '0x30': 0x4000, '0x31': 0x1, '0x32': 0x1, '0x35': 0x1 };

describe('vjoy-test under Wine', { skip }, () => {
	let env: WineEnv;
	let work: string;
	let shm: string;
	let agentJs: string;
	let runs = 0;

	before(() => {
		env = (prepared as { env: WineEnv }).env;
		work = mkdtempSync(join(tmpdir(), 'pitwall-wine-vjoy-'));
		shm = mkdtempSync('/dev/shm/pitwall-wine-vjoy-');
		agentJs = stageAgent(env, work);
	});

	after(() => {
		wineserverWait(env);
		rmSync(shm, { recursive: true, force: true });
	});

	/** One vjoy-test run with its own fake device (state and call log). */
	function vjoyTest(args: string[]): { proc: Proc; calls: () => string[]; state: () => ReturnType<typeof readVJoyState> } {
		const n = ++runs;
		const state = join(shm, `vjoy-state-${n}`);
		const log = join(shm, `vjoy-${n}.log`);
		const proc = wine(env, env.WINE_NODE, [winPath(agentJs), 'vjoy-test', ...args], join(work, `vjoy-test-${n}.log`), {
			FAKE_VJOY_STATE: winPath(state),
			FAKE_VJOY_LOG: winPath(log)
		});
		const calls = () =>
			existsSync(log)
				? readFileSync(log, 'utf8')
						.trim()
						.split('\n')
						.map((line) => line.split(' ').slice(2).join(' '))
				: [];
		return { proc, calls, state: () => readVJoyState(state) };
	}

	const setAxis = (call: string) => {
		const m = /^SetAxis\(0x([0-9a-f]+), 1, (0x3[0-7])\) = 1$/.exec(call);
		return m ? { value: parseInt(m[1], 16), usage: m[2] } : undefined;
	};

	/** The device was left neutral, no button held, relinquished: the log's last calls and the state. */
	function assertEndedNeutral(calls: string[], state: ReturnType<typeof readVJoyState>): void {
		assert.equal(calls.at(-1), 'RelinquishVJD(1)', calls.slice(-8).join('\n'));
		const last = new Map<string, number>();
		for (const call of calls) {
			const a = setAxis(call);
			if (a) last.set(a.usage, a.value);
		}
		assert.deepEqual(Object.fromEntries(last), NEUTRAL, 'every axis last written neutral');
		assert.ok(state, 'device state written');
		assert.equal(state.owner, 0, 'relinquished');
		assert.deepEqual([state.axes[0], state.axes[1], state.axes[2], state.axes[5]], [0x4000, 0x1, 0x1, 0x1]);
		assert.equal(state.buttons, 0, 'no button held');
		assert.deepEqual(
			calls.filter((c) => c.startsWith('BAD')),
			[],
			'every argument within the SDK contract (BOOLs 0/1, usages, range)'
		);
	}

	it('--help describes it', async () => {
		const help = wine(env, env.WINE_NODE, [winPath(agentJs), 'vjoy-test', '--help'], join(work, 'vjoy-help.log'));
		assert.equal(await help.exited, 0, help.log());
		assert.match(help.log(), /Usage: bridge-agent vjoy-test/);
		for (const flag of ['--axis', '--button', '--sweep-seconds', '--pause-seconds', '--vjoy-dll']) assert.match(help.log(), new RegExp(flag));
	});

	it('sweeps X, Y, Z and RZ one at a time, neutral → full → neutral, then ends neutral and relinquished', async () => {
		const run = vjoyTest(['--sweep-seconds', '0.4', '--pause-seconds', '0']);
		assert.equal(await run.proc.exited, 0, run.proc.log());
		assert.match(run.proc.log(), /vJoy device 1 acquired \(C:\\Program Files\\vJoy\\x64\\vJoyInterface\.dll, registry DllX64Location\)/);
		assert.match(run.proc.log(), /done: vJoy device 1 neutral, buttons released, relinquished/);
		const calls = run.calls();
		const acquired = calls.indexOf('AcquireVJD(1) = 1');
		assert.ok(acquired >= 0, calls.join('\n'));
		// After acquiring: ResetVJD and the four neutral writes, then the sweeps, then the close.
		const sweep = calls.slice(acquired + 6, calls.lastIndexOf('RelinquishVJD(1)') - 4).map(setAxis);
		assert.ok(
			sweep.every((a) => a),
			'only SetAxis calls while sweeping'
		);
		const blocks: { usage: string; values: number[] }[] = [];
		for (const a of sweep as { usage: string; value: number }[]) {
			if (blocks.at(-1)?.usage !== a.usage) blocks.push({ usage: a.usage, values: [] });
			blocks.at(-1)!.values.push(a.value);
		}
		assert.deepEqual(
			blocks.map((b) => b.usage),
			['0x30', '0x31', '0x32', '0x35'],
			'X steer, Y throttle, Z brake, RZ clutch: one block each'
		);
		for (const { usage, values } of blocks) {
			assert.ok(values.length >= 20, `${usage}: slow (${values.length} steps)`);
			assert.ok(
				values.every((v) => v >= 0x1 && v <= 0x8000),
				`${usage}: in range`
			);
			assert.equal(values[0], NEUTRAL[usage], `${usage} starts neutral`);
			assert.equal(values.at(-1), NEUTRAL[usage], `${usage} ends neutral`);
			assert.equal(Math.max(...values), 0x8000, `${usage} reaches full`);
			if (usage === '0x30') assert.equal(Math.min(...values), 0x1, 'steer reaches full left too');
		}
		assertEndedNeutral(calls, run.state());
	});

	it('--button all presses the buttons the agent uses, one at a time', async () => {
		const run = vjoyTest(['--button', 'all', '--pause-seconds', '0', '--press-ms', '50']);
		assert.equal(await run.proc.exited, 0, run.proc.log());
		const presses = run.calls().filter((c) => c.startsWith('SetBtn'));
		assert.deepEqual(
			presses,
			[1, 2, 7, 8, 9].flatMap((n) => [`SetBtn(0x1, 1, ${n}) = 1`, `SetBtn(0x0, 1, ${n}) = 1`])
		);
		assert.match(run.proc.log(), /button 7 \(restart race\)/);
		assertEndedNeutral(run.calls(), run.state());
	});

	it('Ctrl-C mid-sweep: neutral, relinquished, exit 0', async () => {
		const run = vjoyTest(['--sweep-seconds', '30', '--pause-seconds', '0']);
		const deadline = Date.now() + 20_000;
		while (!run.calls().some((c) => (setAxis(c)?.value ?? 0) > 0x5000)) {
			assert.ok(Date.now() < deadline, `the steer never moved:\n${run.proc.log()}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		assert.ok(run.state()!.axes[0] > 0x4000, 'steer held off centre before the stop');
		run.proc.child.kill('SIGINT'); // CTRL_C_EVENT in node.exe
		assert.equal(await run.proc.exited, 0, run.proc.log());
		assert.match(run.proc.log(), /SIGINT: stopped: vJoy device 1 neutral/);
		assertEndedNeutral(run.calls(), run.state());
	});
});
