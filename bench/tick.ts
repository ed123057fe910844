/**
 * Tick accuracy of the bridge-agent's stepper on the real clock (the unit tests pin its schedule on
 * a fake clock): at 20 Hz (the default control rate) and 100 Hz, how late the first tick comes
 * after one period, how far the last tick is from its slot k·period (an absolute schedule does not
 * drift), how late ticks land after their slot (percentiles), missed slots and the achieved rate.
 * Figures depend on the machine's load: the targets are for a quiet one.
 */
import { Stepper } from '../bridge-agent/src/control/stepper.ts';
import { percentile, round, type BenchResult } from './harness.ts';

const SECONDS = Number(process.env.TICK_SECONDS ?? 5);

interface Accuracy {
	firstTickLateMs: number;
	lastTickDriftMs: number;
	lateP50Ms: number;
	lateP99Ms: number;
	lateMaxMs: number;
	missedTicks: number;
	achievedHz: number;
}

async function accuracy(hz: number): Promise<Accuracy> {
	const periodMs = 1000 / hz;
	const ticks = Math.round(hz * SECONDS);
	const stepper = new Stepper(periodMs);
	const at: number[] = [];
	/** Each tick's own slot: the k-th tick after the missed slots so far. */
	const slots: number[] = [];
	const start = performance.now();
	await stepper.run(() => {
		at.push(performance.now() - start);
		slots.push(at.length + stepper.overruns);
		return at.length < ticks;
	});
	const late = at.map((t, i) => t - slots[i] * periodMs);
	const last = late[late.length - 1];
	late.sort((a, b) => a - b);
	const stats = stepper.stats();
	return {
		firstTickLateMs: round(at[0] - periodMs, 3),
		lastTickDriftMs: round(last, 3),
		lateP50Ms: round(percentile(late, 0.5), 3),
		lateP99Ms: round(percentile(late, 0.99), 3),
		lateMaxMs: round(late[late.length - 1], 3),
		missedTicks: stats.overruns,
		achievedHz: round(stats.achievedHz, 2)
	};
}

export async function run(): Promise<BenchResult> {
	const figures: Record<string, number> = { seconds: SECONDS };
	for (const hz of [20, 100]) {
		const result = await accuracy(hz);
		console.error(`${hz} Hz: ${JSON.stringify(result)}`);
		for (const [key, value] of Object.entries(result)) figures[`${key}At${hz}Hz`] = value;
	}
	return {
		name: 'tick',
		figures,
		targets: [
			{ key: 'firstTickLateMsAt20Hz', op: '<=', value: 1 },
			{ key: 'lastTickDriftMsAt20Hz', op: '<=', value: 1 },
			{ key: 'lateP99MsAt100Hz', op: '<=', value: 1 },
			{ key: 'missedTicksAt100Hz', op: '==', value: 0 }
		]
	};
}
