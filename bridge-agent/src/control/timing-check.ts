/**
 * doctor's control-timing check: the run's own stepper (stepper.ts) ticks at --control-hz for a
 * few seconds doing nothing else, and the tick times give the rate it achieved and its period
 * error (|interval between two ticks − the period|, what the policy's dt sees). The verdict fails
 * when the rate cannot be held and warns when the jitter is a large part of the period. The clock
 * is injected: unit tests run it on a fake one.
 */
import { REAL_CLOCK, Stepper, type StepperClock } from './stepper.ts';

/** Below this share of the target rate the rate is not held: fail. */
export const MIN_RATE_SHARE = 0.95;
/** p95 period error above this share of the period: warn (uneven steps for the policy). */
export const MAX_P95_SHARE = 0.1;
/** Any period error above this share of the period: warn. */
export const MAX_ERROR_SHARE = 0.5;

export interface TimingStats {
	targetHz: number;
	achievedHz: number;
	seconds: number;
	ticks: number;
	/** Scheduled periods skipped because a tick came more than a period late. */
	missed: number;
	p50Ms: number;
	p95Ms: number;
	maxMs: number;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);

/** Stats from tick times (ms) at `targetHz`. */
export function timingStats(times: readonly number[], targetHz: number, missed: number): TimingStats {
	const periodMs = 1000 / targetHz;
	const errors = times
		.slice(1)
		.map((t, i) => Math.abs(t - times[i] - periodMs))
		.sort((a, b) => a - b);
	const spanMs = times.length > 1 ? times[times.length - 1] - times[0] : 0;
	return {
		targetHz,
		achievedHz: spanMs > 0 ? ((times.length - 1) * 1000) / spanMs : 0,
		seconds: spanMs / 1000,
		ticks: times.length,
		missed,
		p50Ms: quantile(errors, 0.5),
		p95Ms: quantile(errors, 0.95),
		maxMs: errors.length ? errors[errors.length - 1] : 0
	};
}

/** Ticks a stepper at `hz` for `seconds` and measures it. */
export async function measureTiming(hz: number, seconds: number, clock: StepperClock = REAL_CLOCK): Promise<TimingStats> {
	const stepper = new Stepper(1000 / hz, clock);
	const times: number[] = [];
	const start = clock.now();
	await stepper.run(() => {
		const now = clock.now();
		times.push(now);
		return now - start < seconds * 1000;
	});
	return timingStats(times, hz, stepper.overruns);
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

/** doctor's line: ok, warn or fail, and the figures with what to do. */
export function timingVerdict(s: TimingStats, resolution: string): { result: 'ok' | 'warn' | 'fail'; detail: string } {
	const periodMs = 1000 / s.targetHz;
	const figures = `${s.achievedHz.toFixed(2)} Hz over ${s.seconds.toFixed(1)} s; period error p50 ${ms(s.p50Ms)}, p95 ${ms(s.p95Ms)}, max ${ms(s.maxMs)}; ${s.missed} missed; timer ${resolution}`;
	if (s.ticks < 2 || s.achievedHz < MIN_RATE_SHARE * s.targetHz)
		return {
			result: 'fail',
			detail: `${s.targetHz} Hz cannot be held: ${figures} — lower --control-hz, or close what loads the CPU (the game's own frame limiter, a recorder)`
		};
	if (s.p95Ms > MAX_P95_SHARE * periodMs || s.maxMs > MAX_ERROR_SHARE * periodMs)
		return {
			result: 'warn',
			detail: `${s.targetHz} Hz held, but with jitter: ${figures} (over ${Math.round(MAX_P95_SHARE * 100)} % of the ${ms(periodMs)} period at p95, or ${Math.round(MAX_ERROR_SHARE * 100)} % at most) — the policy sees uneven steps; lower --control-hz or free the CPU`
		};
	return { result: 'ok', detail: `${s.targetHz} Hz held: ${figures}` };
}
