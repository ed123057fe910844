/**
 * AC resets (ac/reset.ts) against the simulated car's pages: the vJoy buttons and the in-game app's
 * file channel (a stand-in app answering as pitwall_reset.py does), confirmed from telemetry —
 * out of the pit, lap timer restarted, speed rising under throttle —, retried once, and `auto`
 * falling back to the buttons when no app answers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { AcReset, RESET_CONFIRM, type ResetMethod } from '../../../bridge-agent/src/ac/reset.ts';
import { REQUEST_FILE, RESPONSE_FILE, ResetChannel } from '../../../bridge-agent/src/ac/reset-channel.ts';
import type { Controls } from '../../../bridge-agent/src/driving/controls.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';
import { GuardedSink, type ControlDevice } from '../../../bridge-agent/src/sinks/control-sink.ts';
import { VJOY_BUTTON } from '../../../bridge-agent/src/sinks/vjoy-sink.ts';
import { AcReader } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { MemoryMapper } from '../../../bridge-agent/src/sources/memory-mapper.ts';

const TIMELINE = { restartPress: 1, startAfter: 1, startPress: 1, settleUntil: 5 };
const CONFIRM = { ...RESET_CONFIRM, restartWaitMs: 300, riseBudgetMs: 1500 };

interface Game {
	/** Restart race (button 7) works. */
	buttons: boolean;
	/** The car can be driven after a restart (false: held in a menu). */
	drivable: boolean;
	/** The in-game app: absent, without CSP, or working. */
	app: 'none' | 'no-csp' | 'csp';
}

/** The simulated car stepping in real time with what the device writes; the app polling its file. */
function game(g: Game) {
	const sim = new SimCar(Track.named('oval'), 1);
	let controls: Controls = { steer: 0, throttle: 1, brake: 0 };
	const presses: number[] = [];
	const dir = mkdtempSync(join(tmpdir(), 'pitwall-reset-'));
	let held = false;
	const restart = () => {
		sim.reset(1);
		held = !g.drivable;
	};
	const device: ControlDevice = {
		write: (c) => (controls = { ...c }),
		press: async (button) => {
			presses.push(button);
			if (g.buttons && button === VJOY_BUTTON.RESTART_RACE) restart();
		},
		close: () => {}
	};
	let lastRequest = '';
	const timer = setInterval(() => {
		sim.apply(held ? { steer: 0, throttle: 0, brake: 0 } : controls);
		if (!held) sim.step(0.02);
		let request = '';
		try {
			request = readFileSync(join(dir, REQUEST_FILE), 'utf8').trim();
		} catch {
			/* no request yet */
		}
		if (g.app === 'none' || !request || request === lastRequest) return;
		lastRequest = request;
		if (g.app === 'csp') restart();
		writeFileSync(
			join(dir, RESPONSE_FILE),
			g.app === 'csp' ? `${request} ok\n` : `${request} error ac.ext_resetCar is missing: install Custom Shaders Patch (CSP)\n`
		);
	}, 20);
	for (let i = 0; i < 100; i++) sim.step(0.05); // moving, mid-lap
	const reader = new AcReader(new MemoryMapper({ physics: sim.physics, graphics: sim.graphics, static: sim.static }));
	const make = (method: ResetMethod) => new AcReset(reader, new GuardedSink(device, 10_000), TIMELINE, method, new ResetChannel(dir), CONFIRM);
	const stop = () => {
		clearInterval(timer);
		rmSync(dir, { recursive: true, force: true });
	};
	return { sim, presses, make, stop, dir };
}

describe('AC reset', () => {
	let stop = () => {};
	afterEach(() => stop());

	it('buttons: restart (7), start (9), gear up, confirmed: timer restarted, speed rising under throttle', async () => {
		const g = game({ buttons: true, drivable: true, app: 'none' });
		stop = g.stop;
		const reset = g.make('buttons');
		assert.equal(await reset.reset(), true, reset.detail);
		assert.deepEqual(g.presses, [VJOY_BUTTON.RESTART_RACE, VJOY_BUTTON.START_RACE, VJOY_BUTTON.GEAR_UP]);
		assert.match(reset.detail, /^buttons: lap timer 0\.\d s, out of the pit, speed 0\.0 → \d+\.\d km\/h under throttle 0\.5/);
		assert.deepEqual([reset.attempted, reset.confirmed], [1, 1]);
	});

	it('buttons that do nothing: retried once, then reported with what telemetry showed', async () => {
		const g = game({ buttons: false, drivable: true, app: 'none' });
		stop = g.stop;
		const reset = g.make('buttons');
		assert.equal(await reset.reset(), false);
		assert.equal(g.presses.filter((b) => b === VJOY_BUTTON.RESTART_RACE).length, 2);
		assert.match(reset.detail, /not confirmed after 2 tries: telemetry shows no restart .*lap timer \d+\.\d s/);
		assert.deepEqual([reset.attempted, reset.confirmed], [2, 0]);
	});

	it('a restart that leaves the car held (a menu, the grid) is not a reset: the speed must rise under throttle', async () => {
		const g = game({ buttons: true, drivable: false, app: 'none' });
		stop = g.stop;
		const reset = g.make('buttons');
		assert.equal(await reset.reset(), false);
		assert.match(reset.detail, /the car does not move: .*speed 0\.0 → 0\.0 km\/h/);
	});

	it('csp: one request to the app, answered, confirmed; no restart button pressed', async () => {
		const g = game({ buttons: true, drivable: true, app: 'csp' });
		stop = g.stop;
		const reset = g.make('csp');
		assert.equal(await reset.reset(), true, reset.detail);
		assert.deepEqual(g.presses, [VJOY_BUTTON.GEAR_UP]);
		assert.equal(reset.used, 'csp');
		assert.match(reset.detail, /^csp: lap timer 0\.\d s/);
		assert.match(readFileSync(join(g.dir, REQUEST_FILE), 'utf8'), /^1\n$/);
		assert.equal(await reset.reset(), true, 'a second reset: the next seq');
		assert.match(readFileSync(join(g.dir, REQUEST_FILE), 'utf8'), /^2\n$/);
	});

	it('csp without CSP in the game: the app says so, and the reset fails naming it', async () => {
		const g = game({ buttons: true, drivable: true, app: 'no-csp' });
		stop = g.stop;
		const reset = g.make('csp');
		assert.equal(await reset.reset(), false);
		assert.match(reset.detail, /install Custom Shaders Patch/);
		assert.deepEqual(g.presses, [], 'no button fallback when csp was asked for');
	});

	it('auto: the app when it answers, else the buttons from then on (saying why)', async () => {
		const withApp = game({ buttons: true, drivable: true, app: 'csp' });
		stop = withApp.stop;
		const a = withApp.make('auto');
		assert.equal(await a.reset(), true, a.detail);
		assert.equal(a.used, 'csp');
		withApp.stop();

		const noApp = game({ buttons: true, drivable: true, app: 'none' });
		stop = noApp.stop;
		const b = noApp.make('auto');
		assert.equal(await b.reset(), true, b.detail);
		assert.equal(b.used, 'buttons');
		assert.match(b.detail, /^buttons \(in-game app: no answer to .*reset-request within 1500 ms: the pitwall_reset app is not installed/);
		assert.deepEqual(noApp.presses, [VJOY_BUTTON.RESTART_RACE, VJOY_BUTTON.START_RACE, VJOY_BUTTON.GEAR_UP]);
	});

	it('the channel continues the sequence found in the folder (a request left by an earlier run is not repeated)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-reset-'));
		stop = () => rmSync(dir, { recursive: true, force: true });
		writeFileSync(join(dir, REQUEST_FILE), '41\n');
		writeFileSync(join(dir, RESPONSE_FILE), '41 ok\n');
		const channel = new ResetChannel(dir);
		assert.equal(channel.answer(42), undefined);
		assert.equal(await channel.request(), 42);
		assert.equal(channel.answer(42), undefined, 'the old answer is for 41');
		writeFileSync(join(dir, RESPONSE_FILE), '42 error boom\n');
		assert.deepEqual(channel.answer(42), { answered: true, ok: false, detail: 'boom' });
	});

	it('the response is opened only when it changes (Windows cannot replace a file the agent has open)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-reset-'));
		stop = () => rmSync(dir, { recursive: true, force: true });
		const response = join(dir, RESPONSE_FILE);
		writeFileSync(response, '7 ok\n');
		const mtime = new Date(1_700_000_000_000);
		utimesSync(response, mtime, mtime);
		const channel = new ResetChannel(dir);
		assert.equal(await channel.request(), 8);
		assert.equal(channel.answer(8), undefined);
		writeFileSync(response, '8 ok\n'); // same file, same size: only its time tells
		utimesSync(response, mtime, mtime);
		assert.equal(channel.answer(8), undefined, 'unchanged by size and time: not read again');
		utimesSync(response, mtime, new Date(mtime.getTime() + 1000));
		assert.deepEqual(channel.answer(8), { answered: true, ok: true, detail: 'ac.ext_resetCar() called' });
	});

	it('a request the app has open is replaced on a later try; one never released is reported, not thrown', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-reset-'));
		stop = () => rmSync(dir, { recursive: true, force: true });
		const inUse = (code: string) => Object.assign(new Error(`${code}: operation not permitted, rename`), { code });
		let refusals = 2;
		const busyTwice = new ResetChannel(dir, (from, to) => {
			if (refusals-- > 0) throw inUse('EPERM');
			renameSync(from, to);
		});
		assert.equal(await busyTwice.request(), 1);
		assert.equal(refusals, -1, 'two refusals, then the replace');
		assert.equal(readFileSync(join(dir, REQUEST_FILE), 'utf8'), '1\n');

		const held = new ResetChannel(dir, () => {
			throw inUse('EACCES');
		});
		const answer = await held.ask(50);
		assert.equal(answer.answered, false);
		assert.match(answer.detail, /^could not write .*reset-request: EACCES \(another process kept it open for 250 ms\)$/);

		const broken = new ResetChannel(dir, () => {
			throw inUse('ENOSPC');
		});
		await assert.rejects(broken.request(), /could not write .*reset-request: ENOSPC$/, 'other errors are not retried');
	});
});
