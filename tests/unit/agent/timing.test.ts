/**
 * Control timing on Windows: timeBeginPeriod(1) for a run, timeEndPeriod(1) exactly once on
 * every way out; doctor's rate and jitter figures and verdict, on injected clocks (no real time).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepperClock } from '../../../bridge-agent/src/control/stepper.ts';
import { raiseTimerResolution, type TimerApi } from '../../../bridge-agent/src/control/timer-resolution.ts';
import { measureTiming, timingStats, timingVerdict } from '../../../bridge-agent/src/control/timing-check.ts';
import { WINMM_PROTOTYPES } from '../../../bridge-agent/src/sources/win32.ts';
import { FakeClock } from './fake-clock.ts';

function winmm(result = 0): TimerApi & { calls: string[] } {
	const calls: string[] = [];
	return {
		calls,
		timeBeginPeriod: (ms) => (calls.push(`timeBeginPeriod(${ms})`), result),
		timeEndPeriod: (ms) => (calls.push(`timeEndPeriod(${ms})`), 0)
	};
}

/** A clock whose timers fire on a system tick of `tickMs` (Windows' default: 15.625 ms), as libuv's do. */
class TickClock implements StepperClock {
	nowMs = 0;
	private timers: { due: number; order: number; callback: () => void }[] = [];
	private order = 0;
	constructor(private readonly tickMs: number) {}
	now = () => this.nowMs;
	setTimeout(callback: () => void, delayMs: number): void {
		this.timers.push({ due: Math.ceil((this.nowMs + Math.max(delayMs, 0.001)) / this.tickMs) * this.tickMs, order: this.order++, callback });
	}
	setImmediate(callback: () => void): void {
		this.timers.push({ due: this.nowMs, order: this.order++, callback });
	}
	spinUntil(deadlineMs: number): void {
		this.nowMs = Math.max(this.nowMs, deadlineMs);
	}
	runAll(): void {
		while (this.timers.length) {
			this.timers.sort((a, b) => a.due - b.due || a.order - b.order);
			const timer = this.timers.shift()!;
			this.nowMs = Math.max(this.nowMs, timer.due);
			timer.callback();
		}
	}
}

async function measureOn<C extends StepperClock & { runAll(): unknown }>(clock: C, hz: number, seconds: number) {
	const measuring = measureTiming(hz, seconds, clock);
	clock.runAll();
	return measuring;
}

describe('timer resolution', () => {
	it('timeBeginPeriod(1) for the run; timeEndPeriod(1) once, whether the run ends or the process exits first', () => {
		const api = winmm();
		let exitHook: (() => void) | undefined;
		let unhooked = 0;
		const timer = raiseTimerResolution(api, (release) => ((exitHook = release), () => void unhooked++));
		assert.deepEqual([timer.raised, timer.detail, api.calls], [true, '1 ms (timeBeginPeriod)', ['timeBeginPeriod(1)']]);
		timer.release();
		timer.release();
		exitHook!();
		assert.deepEqual(api.calls, ['timeBeginPeriod(1)', 'timeEndPeriod(1)']);
		assert.equal(unhooked, 1, 'the exit hook is removed once released');

		const early = winmm();
		let hook: (() => void) | undefined;
		const other = raiseTimerResolution(early, (release) => ((hook = release), () => {}));
		hook!(); // process.exit before the run's finally
		other.release();
		assert.deepEqual(early.calls, ['timeBeginPeriod(1)', 'timeEndPeriod(1)']);
	});

	it('a refused timeBeginPeriod is reported and never ended; elsewhere nothing is called', () => {
		const api = winmm(97); // TIMERR_NOCANDO
		const timer = raiseTimerResolution(api, () => () => {});
		timer.release();
		assert.equal(timer.raised, false);
		assert.match(timer.detail, /timeBeginPeriod\(1\) failed \(MMRESULT 97\)/);
		assert.deepEqual(api.calls, ['timeBeginPeriod(1)']);
		assert.equal(raiseTimerResolution(undefined).raised, false);
	});

	it('winmm is declared with 32-bit UINTs, no koffi bool', () => {
		assert.equal(WINMM_PROTOTYPES.timeBeginPeriod, 'uint32 __stdcall timeBeginPeriod(uint32 uPeriod)');
		assert.equal(WINMM_PROTOTYPES.timeEndPeriod, 'uint32 __stdcall timeEndPeriod(uint32 uPeriod)');
	});
});

describe('control timing check', () => {
	it('a punctual clock: 50 Hz held, no period error', async () => {
		const stats = await measureOn(new FakeClock(), 50, 1);
		assert.deepEqual(stats, { targetHz: 50, achievedHz: 50, seconds: 0.98, ticks: 50, missed: 0, p50Ms: 0, p95Ms: 0, maxMs: 0 });
		assert.equal(timingVerdict(stats, '1 ms (timeBeginPeriod)').result, 'ok');
		assert.match(
			timingVerdict(stats, '1 ms (timeBeginPeriod)').detail,
			/^50 Hz held: 50\.00 Hz over 1\.0 s; period error p50 0\.00 ms, p95 0\.00 ms, max 0\.00 ms; 0 missed; timer 1 ms/
		);
	});

	it('one timer 5 ms late shows as two 5 ms period errors (that tick late, the next one early)', async () => {
		const stats = await measureOn(new FakeClock((n) => (n === 10 ? 6.5 : 0)), 50, 1);
		assert.deepEqual([stats.p50Ms, stats.maxMs, stats.missed], [0, 5, 0]);
		assert.equal(timingVerdict(stats, '').result, 'ok');
	});

	it("Windows' default 15.6 ms timer tick: 50 Hz held with jitter (warn), 100 Hz cannot be held (fail); a 1 ms tick holds both", async () => {
		const at50 = await measureOn(new TickClock(15.625), 50, 2);
		const at100 = await measureOn(new TickClock(15.625), 100, 2);
		assert.equal(timingVerdict(at50, '').result, 'warn', JSON.stringify(at50));
		assert.ok(at50.p95Ms > 5, `p95 ${at50.p95Ms} ms`);
		const verdict100 = timingVerdict(at100, '');
		assert.equal(verdict100.result, 'fail', JSON.stringify(at100));
		assert.match(verdict100.detail, /^100 Hz cannot be held: .* — lower --control-hz/);
		assert.ok(at100.missed > 0);
		for (const hz of [50, 100]) {
			const fine = await measureOn(new TickClock(1), hz, 2);
			assert.equal(timingVerdict(fine, '1 ms').result, 'ok', `${hz} Hz on a 1 ms tick: ${JSON.stringify(fine)}`);
		}
	});

	it('figures from tick times: rate over the span, |interval − period| quantiles', () => {
		const stats = timingStats([0, 20, 41, 60, 80, 100], 50, 0);
		assert.deepEqual(stats, { targetHz: 50, achievedHz: 50, seconds: 0.1, ticks: 6, missed: 0, p50Ms: 0, p95Ms: 1, maxMs: 1 });
		assert.equal(timingVerdict(timingStats([0, 25, 50, 75, 100], 50, 0), '').result, 'fail', '40 Hz of 50');
		assert.equal(timingVerdict(timingStats([0], 50, 0), '').result, 'fail', 'a single tick measures nothing');
	});
});
