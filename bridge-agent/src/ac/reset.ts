/**
 * Resetting Assetto Corsa, and confirming it from telemetry. Two ways exist (ac-facts.md): the
 * in-game app pitwall_reset calling CSP's ac.ext_resetCar() on request (reset-channel.ts), and
 * vJoy buttons bound to AC's "restart race" (7) and Content Manager's "start race" (9). `auto`
 * tries the app on the first reset and keeps it when it answers, else uses the buttons from then on.
 * A reset counts when telemetry shows it, with margins: out of the pit, the lap timer restarted
 * since the request (≤ the time elapsed, at most 5 s, plus 1 s for the game's own timing), and the
 * car's speed rising under throttle within a budget (not held in a menu or on the grid). One retry,
 * then the reset is reported as failed with what telemetry showed.
 */
import { NEUTRAL_CONTROLS, type GuardedSink } from '../sinks/control-sink.ts';
import { VJOY_BUTTON } from '../sinks/vjoy-sink.ts';
import type { AcReader } from '../sources/ac-reader.ts';
import type { ResetChannel } from './reset-channel.ts';

export const RESET_METHODS = ['auto', 'csp', 'buttons'] as const;
export type ResetMethod = (typeof RESET_METHODS)[number];

/** The original's open-loop button sequence (ac-facts.md): restart, wait, start, settle. */
export const RESET_TIMELINE_MS = { restartPress: 50, startAfter: 2000, startPress: 100, settleUntil: 5000 } as const;
export type ResetTimeline = Record<keyof typeof RESET_TIMELINE_MS, number>;
/** The sim host restarts at once; the same sequence, scaled down. */
export const SIM_HOST_RESET_MS = { restartPress: 50, startAfter: 200, startPress: 50, settleUntil: 500 } as const;

export const RESET_CONFIRM = {
	/** Telemetry must show the restart within this long after the trigger. */
	restartWaitMs: 3000,
	/** The lap timer may read this much more than the time since the request (game timing). */
	marginMs: 1000,
	/** … and no more than this (plus the margin): a restarted timer, not a running lap. */
	timerLimitMs: 5000,
	/** Under this throttle the speed must rise by riseKmh within riseBudgetMs. */
	throttle: 0.5,
	riseKmh: 2,
	riseBudgetMs: 3000
};
const TRIES = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class AcReset {
	/** The method in use once decided ('auto' decides on the first reset). */
	used: 'csp' | 'buttons' | undefined;
	/** Why auto chose the buttons, or what the last reset did or lacked. */
	detail = '';
	attempted = 0;
	confirmed = 0;
	/** Why auto uses the buttons (the in-game app's silence or error), or ''. */
	fallback = '';

	constructor(
		private readonly reader: AcReader,
		private readonly sink: GuardedSink,
		private readonly timeline: ResetTimeline,
		readonly method: ResetMethod,
		private readonly channel?: ResetChannel,
		private readonly confirmOptions = RESET_CONFIRM
	) {
		if (method === 'buttons' || !channel) this.used = 'buttons';
		else if (method === 'csp') this.used = 'csp';
	}

	private get label(): string {
		return this.fallback ? `${this.used} (in-game app: ${this.fallback})` : `${this.used}`;
	}

	async reset(): Promise<boolean> {
		const problems: string[] = [];
		for (let attempt = 0; attempt < TRIES; attempt++) {
			this.attempted++;
			const started = Date.now();
			const triggered = await this.trigger();
			const result = triggered.ok ? await this.confirm(started) : triggered;
			if (result.ok) {
				this.confirmed++;
				this.detail = `${this.label}: ${result.detail}${attempt ? ` (second try; first: ${problems[0]})` : ''}`;
				return true;
			}
			problems.push(result.detail);
		}
		this.detail = `${this.label}: not confirmed after ${TRIES} tries: ${problems.join('; then ')}`;
		return false;
	}

	private async trigger(): Promise<{ ok: boolean; detail: string }> {
		this.sink.apply(NEUTRAL_CONTROLS);
		if (this.used !== 'buttons') {
			const answer = await this.channel!.ask();
			if (answer.answered && answer.ok) {
				this.used = 'csp';
				return { ok: true, detail: answer.detail };
			}
			if (this.used === 'csp') return { ok: false, detail: answer.detail };
			this.used = 'buttons'; // auto: the app did not answer, or CSP is missing
			this.fallback = answer.detail;
		}
		await this.sink.press(VJOY_BUTTON.RESTART_RACE, this.timeline.restartPress);
		await sleep(this.timeline.startAfter);
		await this.sink.press(VJOY_BUTTON.START_RACE, this.timeline.startPress);
		await sleep(Math.max(0, this.timeline.settleUntil - this.timeline.startAfter - this.timeline.startPress - this.timeline.restartPress));
		return { ok: true, detail: 'buttons 7 and 9 pressed' };
	}

	/** Out of the pit with a restarted lap timer, then the speed rising under throttle. */
	private async confirm(started: number): Promise<{ ok: boolean; detail: string }> {
		const c = this.confirmOptions;
		const deadline = Date.now() + c.restartWaitMs;
		let g = this.reader.read().graphics;
		const restarted = () => {
			g = this.reader.read().graphics;
			return g.isInPit === 0 && g.iCurrentTime <= Math.min(Date.now() - started, c.timerLimitMs) + c.marginMs;
		};
		while (!restarted()) {
			if (Date.now() > deadline)
				return {
					ok: false,
					detail: `telemetry shows no restart ${Date.now() - started} ms after the request: lap timer ${(g.iCurrentTime / 1000).toFixed(1)} s, ${g.isInPit ? 'in the pit' : 'out of the pit'}`
				};
			await sleep(20);
		}
		const timer = g.iCurrentTime;
		await this.sink.press(VJOY_BUTTON.GEAR_UP, 100); // the original's: leave neutral
		const from = this.reader.read().physics.speedKmh;
		const riseStart = Date.now();
		let speed = from;
		while (speed < from + c.riseKmh && Date.now() - riseStart < c.riseBudgetMs) {
			this.sink.apply({ steer: 0, throttle: c.throttle, brake: 0 });
			await sleep(20);
			speed = this.reader.read().physics.speedKmh;
		}
		this.sink.apply(NEUTRAL_CONTROLS);
		const took = Date.now() - riseStart;
		const what = `lap timer ${(timer / 1000).toFixed(1)} s, out of the pit, speed ${from.toFixed(1)} → ${speed.toFixed(1)} km/h under throttle ${c.throttle} in ${took} ms`;
		if (speed < from + c.riseKmh) return { ok: false, detail: `the car does not move: ${what} (held in a menu, on the grid or in the pit?)` };
		return { ok: true, detail: what };
	}
}
