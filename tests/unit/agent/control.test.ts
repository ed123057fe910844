/** Smoothing presets scaled by dt, non-finite actions, and the real-time stepper's schedule. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SMOOTHING_PRESETS, Smoother, toControls } from '../../../bridge-agent/src/control/smoothing.ts';
import { Stepper } from '../../../bridge-agent/src/control/stepper.ts';

describe('smoothing', () => {
	it('turns non-finite actions into neutral controls', () => {
		for (const bad of [[NaN, 1, 0], [0, Infinity, 0], [0, 0, -Infinity]]) {
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

describe('stepper', () => {
	it('ticks on an absolute schedule: the first tick comes one period after start', async () => {
		const stepper = new Stepper(20);
		const start = performance.now();
		const times: number[] = [];
		await stepper.run(() => {
			times.push(performance.now() - start);
			return times.length < 5;
		});
		assert.ok(times[0] >= 19, `first tick at ${times[0].toFixed(1)} ms`);
		// Absolute schedule: tick k lands near k·20 ms, errors do not accumulate.
		assert.ok(times[4] >= 99 && times[4] < 100 + 40, `fifth tick at ${times[4].toFixed(1)} ms`);
	});

	it('skips the slots a slow tick missed and counts them as overruns', async () => {
		const stepper = new Stepper(10);
		let n = 0;
		await stepper.run(() => {
			n++;
			if (n === 2) {
				const until = performance.now() + 35; // block three and a half periods
				while (performance.now() < until);
			}
			return n < 4;
		});
		assert.ok(stepper.overruns >= 3, `overruns ${stepper.overruns}`);
	});
});
