/**
 * vjoy-test's plan: each axis sweeps neutral → full → neutral (steer centre → right → left →
 * centre) in small steps within vJoy's range, one axis at a time; buttons are pressed one at a
 * time; a stop leaves the axis being moved neutral. The command itself runs under Wine
 * (tests/windows/vjoy-test.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AXIS_MAX, AXIS_MIN, VJOY_AXES, VJoyDevice } from '../../../bridge-agent/src/sinks/vjoy-sink.ts';
import { axesNamed, runVJoyTest, sweepValues, type VJoyTestPlan } from '../../../bridge-agent/src/vjoy-test.ts';
import { recordingVJoy } from './fake-vjoy-api.ts';

const [steer, throttle] = VJOY_AXES;

/** The turning points of a series (where it changes direction), with its ends. */
function turns(values: number[]): number[] {
	const out = [values[0]];
	for (let i = 1; i < values.length - 1; i++) if (Math.sign(values[i] - values[i - 1]) * Math.sign(values[i + 1] - values[i]) < 0) out.push(values[i]);
	out.push(values.at(-1)!);
	return out;
}

describe('vjoy-test sweep', () => {
	it('a pedal goes released → full → released in 20 ms steps, within 0x1…0x8000', () => {
		const values = sweepValues(throttle, 4000);
		assert.equal(values.length, 201);
		assert.deepEqual(turns(values), [AXIS_MIN, AXIS_MAX, AXIS_MIN]);
		assert.ok(values.every((v) => Number.isInteger(v) && v >= AXIS_MIN && v <= AXIS_MAX));
		const stepSizes = values.slice(1).map((v, i) => Math.abs(v - values[i]));
		assert.ok(Math.max(...stepSizes) <= 0x8000 / 100 + 1, 'slow: no jump bigger than 1 % of the range');
	});

	it('steer goes centre → full right → full left → centre at one speed', () => {
		const values = sweepValues(steer, 4000);
		assert.deepEqual(turns(values), [0x4000, AXIS_MAX, AXIS_MIN, 0x4000]);
		const stepSizes = values.slice(1).map((v, i) => Math.abs(v - values[i]));
		assert.ok(Math.max(...stepSizes) - Math.min(...stepSizes.filter((s) => s > 1)) <= 0x80, `even steps: ${Math.min(...stepSizes)}…${Math.max(...stepSizes)}`);
	});

	it('--axis picks the axes, in the order given', () => {
		assert.deepEqual(
			axesNamed(undefined).map((a) => `${a.name}:${a.axis}:0x${a.usage.toString(16)}`),
			['steer:X:0x30', 'throttle:Y:0x31', 'brake:Z:0x32', 'clutch:RZ:0x35']
		);
		assert.deepEqual(
			axesNamed(['brake', 'steer']).map((a) => a.name),
			['brake', 'steer']
		);
	});
});

function rig(stopAfterSleeps = Infinity) {
	const { api, calls } = recordingVJoy();
	const device = new VJoyDevice(api, 1);
	device.acquire();
	calls.length = 0;
	const said: string[] = [];
	const sleeps: number[] = [];
	const deps = {
		device,
		sleep: async (ms: number) => void sleeps.push(ms),
		stopped: () => sleeps.length >= stopAfterSleeps,
		say: (l: string) => void said.push(l)
	};
	return { calls, said, sleeps, deps };
}

const PLAN: VJoyTestPlan = { axes: VJOY_AXES, buttons: [], sweepMs: 400, pauseMs: 3000, pressMs: 500 };

describe('vjoy-test runner', () => {
	it('moves one axis at a time, each from neutral back to neutral, after a pause to click the binding', async () => {
		const { calls, said, sleeps, deps } = rig();
		assert.equal(await runVJoyTest(PLAN, deps), true);
		const usages = calls.map((c) => /0x3[0-5]\)$/.exec(c)![0].slice(0, 4));
		const runs = usages.filter((u, i) => u !== usages[i - 1]);
		assert.deepEqual(runs, ['0x30', '0x31', '0x32', '0x35'], 'each axis in one block, in order');
		for (const axis of VJOY_AXES) {
			const values = calls.filter((c) => c.endsWith(`0x${axis.usage.toString(16)})`)).map((c) => Number(/SetAxis\((\d+),/.exec(c)![1]));
			assert.equal(values[0], axis.neutral, `${axis.name} starts neutral`);
			assert.equal(values.at(-1), axis.neutral, `${axis.name} ends neutral`);
			assert.ok(values.includes(AXIS_MAX), `${axis.name} reaches full`);
		}
		assert.equal(sleeps.filter((ms) => ms === 3000).length, 4, 'a pause before each axis');
		assert.equal(said[0], "steer (vJoy axis X): click steer in AC's controls now — in 3 s it moves centre → full right → full left → centre over 0.4 s");
	});

	it('--button presses each button alone, for pressMs, BOOLs 1 then 0', async () => {
		const { calls, sleeps, deps } = rig();
		assert.equal(await runVJoyTest({ ...PLAN, buttons: [7, 9] }, deps), true);
		assert.deepEqual(calls, ['SetBtn(1, 1, 7)', 'SetBtn(0, 1, 7)', 'SetBtn(1, 1, 9)', 'SetBtn(0, 1, 9)']);
		assert.deepEqual(sleeps, [3000, 500, 3000, 500]);
	});

	it('a stop mid-sweep puts that axis back to neutral and says so', async () => {
		const { calls, deps } = rig(20);
		assert.equal(await runVJoyTest(PLAN, deps), false);
		assert.equal(calls.at(-1), 'SetAxis(16384, 1, 0x30)');
		assert.ok(!calls.some((c) => c.endsWith('0x31)')), 'the next axis never moved');
	});
});
