/** Smoothing presets scaled by dt, non-finite actions, and the real-time stepper's schedule (on a fake clock). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SMOOTHING_PRESETS, Smoother, toControls } from '../../../bridge-agent/src/control/smoothing.ts';
import { SPIN_MS, Stepper, WAIT_MS } from '../../../bridge-agent/src/control/stepper.ts';
import { FakeClock } from './fake-clock.ts';

describe('smoothing', () => {
	it('turns non-finite actions into neutral controls', () => {
		for (const bad of [
			[NaN, 1, 0],
			[0, Infinity, 0],
			[0, 0, -Infinity]
		]) {
			assert.deepStrictEqual(toControls(bad), { controls: { steer: 0, throttle: 0, brake: 0 }, neutral: true });
		}
		assert.deepStrictEqual(toControls([2, -1, 0.5]).controls, { steer: 1, throttle: 0, brake: 0.5 });
	});

	it('means the same at any control rate: rate limits and EMA scale with dt', () => {
		const base = SMOOTHING_PRESETS.moderate!;
		const target = { steer: 1, throttle: 1, brake: 1 };
		const twice = (smoother: Smoother) => (smoother.apply(target, 0.05), smoother.apply(target, 0.05));
		// Rate limits alone (EMA off): two 50 ms steps move exactly as far as one 100 ms step.
		const ratesOnly = { ...base, alphaSteer: 1, alphaThrottle: 1, alphaBrake: 1 };
		assert.deepStrictEqual(twice(new Smoother(ratesOnly)), new Smoother(ratesOnly).apply(target, 0.1));
		assert.ok(Math.abs(new Smoother(ratesOnly).apply(target, 0.1).steer - base.steerRate) < 1e-12);
		// EMA alone (no rate limit): the same time constant at any rate.
		const emaOnly = { ...base, steerRate: 99, throttleUp: 99, throttleDown: 99, brakeUp: 99, brakeDown: 99 };
		const a = twice(new Smoother(emaOnly));
		const b = new Smoother(emaOnly).apply(target, 0.1);
		for (const key of ['steer', 'throttle', 'brake'] as const) assert.ok(Math.abs(a[key] - b[key]) < 1e-12, `${key}: ${a[key]} vs ${b[key]}`);
	});

	it('lets everything through with "none"', () => {
		assert.deepStrictEqual(Smoother.named('none').apply({ steer: -0.7, throttle: 0.3, brake: 0.9 }, 0.05), { steer: -0.7, throttle: 0.3, brake: 0.9 });
		assert.throws(() => Smoother.named('wild'), /unknown smoothing/);
	});
});

describe('stepper (on a fake clock: exact times, no real waiting; real-time accuracy is `npm run bench -- tick`)', () => {
	/** Runs `stepper` on `clock` with `tick`, recording the fake time of every tick. */
	async function ticksOf(stepper: Stepper, clock: FakeClock, tick: (n: number) => boolean | 'wait' | void): Promise<number[]> {
		const times: number[] = [];
		const done = stepper.run(() => {
			times.push(clock.now());
			return tick(times.length);
		});
		clock.runAll();
		await done;
		return times;
	}

	it('ticks on an absolute schedule: the first tick one period after start, tick k at k·period', async () => {
		const clock = new FakeClock();
		const stepper = new Stepper(20, clock);
		assert.deepStrictEqual(await ticksOf(stepper, clock, (n) => n < 5), [20, 40, 60, 80, 100]);
		// It sleeps until SPIN_MS before each deadline and spins the rest.
		assert.deepStrictEqual(clock.delays, [18.5, 18.5, 18.5, 18.5, 18.5]);
		assert.deepStrictEqual(clock.spins, [
			[18.5, 20],
			[38.5, 40],
			[58.5, 60],
			[78.5, 80],
			[98.5, 100]
		]);
		assert.equal(SPIN_MS, 1.5);
		assert.equal(stepper.ticks, 4, 'the tick that returns false is not counted');
		assert.equal(stepper.overruns, 0);
	});

	it('does not accumulate timer lateness: every timer 3 ms late lands every tick 1.5 ms late', async () => {
		const clock = new FakeClock(() => 3);
		const stepper = new Stepper(20, clock);
		assert.deepStrictEqual(await ticksOf(stepper, clock, (n) => n < 5), [21.5, 41.5, 61.5, 81.5, 101.5]);
		assert.deepStrictEqual(clock.delays, [18.5, 17, 17, 17, 17], 'each sleep is measured from the schedule, not from the last tick');
		const stats = stepper.stats();
		assert.equal(stats.jitterP50Ms, 1.5);
		assert.equal(stats.jitterP99Ms, 1.5);
		assert.equal(stats.overruns, 0);
	});

	it('skips the slots a slow tick missed and counts them as overruns', async () => {
		const clock = new FakeClock();
		const stepper = new Stepper(10, clock);
		const times = await ticksOf(stepper, clock, (n) => {
			if (n === 2) clock.work(35); // tick 2 (at 20 ms) blocks three and a half periods: slots 30, 40, 50 are gone
			return n < 4;
		});
		assert.deepStrictEqual(times, [10, 20, 60, 70], 'no burst to catch up');
		assert.equal(stepper.overruns, 3);
	});

	it('costs nothing when a tick is slow but ends before the next slot', async () => {
		const clock = new FakeClock();
		const stepper = new Stepper(10, clock);
		const times = await ticksOf(stepper, clock, (n) => {
			if (n === 2) clock.work(8.5);
			return n < 4;
		});
		assert.deepStrictEqual(times, [10, 20, 30, 40]);
		assert.equal(stepper.overruns, 0);
		assert.equal(clock.delays[2], 0, 'already inside the spin margin: no sleep, straight to the spin');
	});

	it('counts the slots a stalled timer (event loop busy elsewhere) missed, and reports the lateness', async () => {
		const clock = new FakeClock((n) => (n === 1 ? 25 : 0));
		const stepper = new Stepper(10, clock);
		assert.deepStrictEqual(await ticksOf(stepper, clock, (n) => n < 4), [10, 43.5, 50, 60]);
		assert.equal(stepper.overruns, 2, 'slots 30 and 40');
		const stats = stepper.stats();
		assert.equal(stats.jitterP50Ms, 0);
		assert.equal(stats.jitterP99Ms, 23.5);
	});

	it('reports jitter percentiles and the achieved rate', async () => {
		// Every tenth timer fires 4.5 ms late: those ticks land 3 ms late, the others on time.
		const clock = new FakeClock((n) => (n % 10 === 4 ? 4.5 : 0));
		const stepper = new Stepper(20, clock);
		await ticksOf(stepper, clock, (n) => {
			if (n === 100) stepper.stop();
		});
		assert.equal(clock.now(), 2000);
		assert.deepStrictEqual(stepper.stats(), { ticks: 100, overruns: 0, jitterP50Ms: 0, jitterP99Ms: 3, achievedHz: 50 });
	});

	it('stop() from outside ends the run at the next slot', async () => {
		const clock = new FakeClock();
		const stepper = new Stepper(10, clock);
		clock.setTimeout(() => stepper.stop(), 25); // between the ticks at 20 and 30
		const times = await ticksOf(stepper, clock, () => true);
		assert.deepStrictEqual(times, [10, 20, 30], 'the tick already armed at 30 runs, nothing after it');
		assert.equal(stepper.ticks, 3);
	});

	it('in max mode yields between ticks and naps WAIT_MS, uncounted, while a tick has nothing to do', async () => {
		const clock = new FakeClock();
		const stepper = new Stepper(0, clock);
		const times = await ticksOf(stepper, clock, (n) => (n <= 3 ? 'wait' : n < 9));
		assert.deepStrictEqual(times, [0, 2, 4, 6, 6, 6, 6, 6, 6]);
		assert.deepStrictEqual(clock.delays, [WAIT_MS, WAIT_MS, WAIT_MS]);
		assert.equal(stepper.ticks, 5, "'wait' and the final false are not counted");
	});
});
