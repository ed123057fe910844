/**
 * `bridge-agent vjoy-test`: makes the vJoy device easy to bind in AC's controls screen. It
 * acquires the device (found as `run` finds it), then moves one axis at a time slowly — steer
 * (X) centre → full right → full left → centre, throttle (Y), brake (Z) and clutch (RZ) released
 * → full → released — with a pause before each so the user can click the binding in AC; or, with
 * `--button`, presses the named buttons one at a time. Every other axis stays neutral meanwhile,
 * so AC's "move the control you want" detects exactly one. It always ends neutral with every
 * button released and the device relinquished, also when stopped (Ctrl-C, console closed).
 *
 * The plan is pure (`sweepValues`), the runner takes the device, a sleep and a stop flag, so the
 * unit tests need no clock; tests/windows runs it for real against the fake vJoyInterface.dll.
 */
import { UsageError } from './args.ts';
import { onStopSignal } from './signals.ts';
import { AXIS_MAX, AXIS_MIN, BUTTON_NAMES, VJOY_AXES, type VJoyAxis, type VJoyDevice } from './sinks/vjoy-sink.ts';
import { SetupError } from './sources/page-mapper.ts';

/** One write every this many ms during a sweep (50 Hz: smooth for AC's binding screen). */
export const SWEEP_STEP_MS = 20;

/** Values of one axis's sweep, one per step: pedals neutral → full → neutral, steer centre → right → left → centre. */
export function sweepValues(axis: VJoyAxis, sweepMs: number, stepMs = SWEEP_STEP_MS): number[] {
	const steps = Math.max(4, Math.round(sweepMs / stepMs));
	// The waypoints; the time between two is proportional to the distance (one speed throughout).
	const points = axis.neutral === AXIS_MIN ? [AXIS_MIN, AXIS_MAX, AXIS_MIN] : [axis.neutral, AXIS_MAX, AXIS_MIN, axis.neutral];
	const spans = points.slice(1).map((to, i) => Math.abs(to - points[i]));
	const total = spans.reduce((a, b) => a + b, 0);
	const values = [points[0]];
	spans.forEach((span, i) => {
		const n = Math.max(1, Math.round((steps * span) / total));
		for (let j = 1; j <= n; j++) values.push(Math.round(points[i] + ((points[i + 1] - points[i]) * j) / n));
	});
	return values;
}

export interface VJoyTestPlan {
	axes: readonly VJoyAxis[];
	/** Buttons to press instead of sweeping axes (empty: sweep). */
	buttons: readonly number[];
	sweepMs: number;
	/** Before each axis or button: time to click the binding in AC. */
	pauseMs: number;
	pressMs: number;
}

export interface VJoyTestDeps {
	device: Pick<VJoyDevice, 'id' | 'setAxis' | 'button'>;
	/** Resolves after ms, or at once when stopped. */
	sleep(ms: number): Promise<void>;
	stopped(): boolean;
	say(line: string): void;
}

/** Axis names as --axis takes them. */
export const AXIS_NAMES = VJOY_AXES.map((a) => a.name);
export const axesNamed = (names: readonly string[] | undefined): VJoyAxis[] =>
	names ? names.map((name) => VJOY_AXES.find((a) => a.name === name)).filter((a) => a !== undefined) : [...VJOY_AXES];

/** Says what comes and what to do meanwhile, then waits the pause. */
async function announce(deps: VJoyTestDeps, line: string, ms: number): Promise<void> {
	deps.say(line);
	await deps.sleep(ms);
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** Runs the plan on an acquired device; returns false when stopped part way. */
export async function runVJoyTest(plan: VJoyTestPlan, deps: VJoyTestDeps): Promise<boolean> {
	const { device } = deps;
	if (plan.buttons.length) {
		for (const button of plan.buttons) {
			const name = BUTTON_NAMES[button] ? ` (${BUTTON_NAMES[button]})` : '';
			await announce(
				deps,
				`button ${button}${name}: click its binding in AC now — in ${seconds(plan.pauseMs)} it is pressed for ${plan.pressMs} ms`,
				plan.pauseMs
			);
			if (deps.stopped()) return false;
			device.button(button, true);
			await deps.sleep(plan.pressMs);
			device.button(button, false);
			if (deps.stopped()) return false;
			deps.say(`button ${button} pressed and released`);
		}
		return true;
	}
	for (const axis of plan.axes) {
		const path = axis.neutral === AXIS_MIN ? 'released → full → released' : 'centre → full right → full left → centre';
		await announce(
			deps,
			`${axis.name} (vJoy axis ${axis.axis}): click ${axis.name} in AC's controls now — in ${seconds(plan.pauseMs)} it moves ${path} over ${seconds(plan.sweepMs)}`,
			plan.pauseMs
		);
		if (deps.stopped()) return false;
		for (const value of sweepValues(axis, plan.sweepMs)) {
			device.setAxis(axis.usage, value);
			await deps.sleep(SWEEP_STEP_MS);
			if (deps.stopped()) {
				device.setAxis(axis.usage, axis.neutral);
				return false;
			}
		}
		deps.say(`${axis.name} done (back at ${axis.neutral === AXIS_MIN ? 'released' : 'centre'})`);
	}
	return true;
}

export interface VJoyTestOptions {
	vjoyDevice: number;
	vjoyDll: string;
	axis: string[] | undefined;
	button: number[];
	sweepSeconds: number;
	pauseSeconds: number;
	pressMs: number;
}

/** The command: find and acquire the device, run the plan, always end neutral and relinquished. */
export async function vjoyTestCommand(o: VJoyTestOptions, say = (line: string) => void process.stdout.write(line + '\n')): Promise<number> {
	if (process.platform !== 'win32') throw new UsageError('vjoy-test drives vJoy and needs Windows (here: `run --source shm` drives a sim-host joystick)');
	const { VJoyDevice, findVJoyDll, loadVJoy } = await import('./sinks/vjoy-sink.ts');
	const choice = await findVJoyDll(o.vjoyDll);
	let device: VJoyDevice;
	try {
		device = new VJoyDevice(loadVJoy(choice), o.vjoyDevice);
	} catch (error) {
		throw new SetupError(`vJoy: ${(error as Error).message}`);
	}
	const plan: VJoyTestPlan = {
		axes: o.button.length ? [] : axesNamed(o.axis),
		buttons: o.button,
		sweepMs: o.sweepSeconds * 1000,
		pauseMs: o.pauseSeconds * 1000,
		pressMs: o.pressMs
	};
	const problem = device.status() || device.missing(plan.axes, Math.max(0, ...plan.buttons));
	if (problem) throw new SetupError(`${problem} — in Configure vJoy enable device ${o.vjoyDevice} with axes X, Y, Z, RZ and 12 buttons`);
	try {
		device.acquire();
	} catch (error) {
		throw new SetupError(`vJoy: ${(error as Error).message}`);
	}
	say(`vJoy device ${device.id} acquired (${choice.path}, ${choice.how}), all axes neutral. Open AC's Options → Controls; Ctrl-C stops.`);
	let stoppedBy = '';
	let wake = () => {};
	const unsubscribe = onStopSignal((signal) => {
		stoppedBy = signal;
		wake();
	});
	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			if (stoppedBy) return resolve();
			const timer = setTimeout(resolve, ms);
			wake = () => {
				clearTimeout(timer);
				resolve();
			};
		});
	try {
		await runVJoyTest(plan, { device, sleep, stopped: () => stoppedBy !== '', say });
	} finally {
		device.close();
		unsubscribe();
	}
	say(`${stoppedBy ? `${stoppedBy}: stopped` : 'done'}: vJoy device ${device.id} neutral, buttons released, relinquished`);
	return 0;
}
