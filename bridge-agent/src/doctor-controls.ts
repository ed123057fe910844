/**
 * doctor's control checks, on any page source and control device: each axis echoed on the
 * game's own physics page (gas, brake, steerAngle), then a reset confirmed from telemetry, with
 * which method works (the in-game CSP app or the vJoy buttons) when --reset is auto.
 */
import type { ResetMethod } from './ac/reset.ts';
import type { ResetChannel } from './ac/reset-channel.ts';
import { AcWorld, type ResetTimeline } from './ac-world.ts';
import { Track } from './driving/track.ts';
import { GuardedSink, type ControlDevice } from './sinks/control-sink.ts';
import type { AcReader } from './sources/ac-reader.ts';

export type Result = 'ok' | 'warn' | 'fail' | 'skip';
export type Check = (result: Result, what: string, detail: string) => void;

/** One axis echo: drive `controls` and wait until the game's physics page shows `seen`. */
async function echo(
	reader: AcReader,
	sink: GuardedSink,
	controls: { steer: number; throttle: number; brake: number },
	seen: (p: ReturnType<AcReader['read']>['physics']) => boolean
): Promise<number> {
	const started = Date.now();
	while (Date.now() - started < ECHO_WAIT_MS) {
		sink.apply(controls);
		if (seen(reader.read().physics)) return Date.now() - started;
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
	return -1;
}

export interface ResetSetup {
	method: ResetMethod;
	channel?: ResetChannel;
}
const BUTTONS: ResetSetup = { method: 'buttons' };
const CSP_HELP = 'install apps/python/pitwall_reset in assettocorsa/apps/python, enable it, and Custom Shaders Patch';
const BUTTONS_HELP = "bind button 7 to AC's restart race and 9 to Content Manager's start race (vjoy-test --button 7,9); start with the car on track";

/** Echo limit: the value must reach the game's physics page this fast. */
const ECHO_LIMIT_MS = 200;
const ECHO_WAIT_MS = 1000;

/**
 * Each axis → the game's own physics page (gas, brake, steerAngle), with values nothing else sets
 * (not neutral, not vJoy's 50 % centre), then the button reset confirmed from telemetry.
 */
export async function controlChecks(
	reader: AcReader,
	device: ControlDevice,
	timeline: ResetTimeline,
	check: Check,
	reset: ResetSetup = BUTTONS
): Promise<void> {
	const sink = new GuardedSink(device);
	const world = new AcWorld(reader, Track.named('oval'), sink, timeline, undefined, Date.now, reset.method, reset.channel);
	const near = (a: number, b: number) => Math.abs(a - b) < 0.05;
	const unbound = 'map vJoy in AC: Y throttle, Z brake, X steer (deadzone 0 %, gamma 1.0)';
	const report = (what: string, ms: number, value: string) =>
		check(
			ms >= 0 && ms <= ECHO_LIMIT_MS ? 'ok' : 'fail',
			what,
			ms < 0
				? `never followed within ${ECHO_WAIT_MS} ms (${value}): ${unbound}`
				: `followed in ${ms} ms (${value})${ms > ECHO_LIMIT_MS ? `, over ${ECHO_LIMIT_MS} ms` : ''}`
		);
	let p = reader.read().physics;
	const gas = await echo(reader, sink, { steer: 0, throttle: 0.3, brake: 0 }, (x) => near(x.gas, 0.3) && near(x.brake, 0));
	p = reader.read().physics;
	report('axis echo (throttle → gas)', gas, `throttle 0.30 → gas ${p.gas.toFixed(2)}, brake ${p.brake.toFixed(2)}`);
	const brake = await echo(reader, sink, { steer: 0, throttle: 0, brake: 0.6 }, (x) => near(x.brake, 0.6) && near(x.gas, 0));
	p = reader.read().physics;
	report('axis echo (brake → brake)', brake, `brake 0.60 → brake ${p.brake.toFixed(2)}, gas ${p.gas.toFixed(2)}`);
	const right = await echo(reader, sink, { steer: 0.4, throttle: 0, brake: 0.6 }, (x) => x.steerAngle > 0.05);
	const rightAngle = reader.read().physics.steerAngle;
	const left = await echo(reader, sink, { steer: -0.4, throttle: 0, brake: 0.6 }, (x) => x.steerAngle < -0.05);
	const leftAngle = reader.read().physics.steerAngle;
	report(
		'axis echo (steer → steerAngle)',
		right < 0 || left < 0 ? -1 : Math.max(right, left),
		`steer +0.40 → steerAngle ${rightAngle.toFixed(2)}, −0.40 → ${leftAngle.toFixed(2)}`
	);
	sink.apply({ steer: 0, throttle: 0, brake: 0 });
	if (gas < 0) {
		// A reset is confirmed by the speed rising under throttle, which an unbound throttle never shows.
		check('skip', 'reset', 'not tried: the game does not follow the throttle axis (fix the axis echo first)');
		world.close();
		return;
	}
	const ok = await world.reset();
	const r = world.resetter;
	check(ok ? 'ok' : 'fail', 'reset', `${world.resetDetail}${ok ? '' : ` — ${r.used === 'csp' ? CSP_HELP : BUTTONS_HELP}`}`);
	if (reset.method === 'auto')
		check(
			r.used === 'csp' ? 'ok' : 'warn',
			'reset method',
			r.used === 'csp'
				? `csp: the in-game app pitwall_reset answered (${reset.channel?.requestPath}); run uses it (--reset auto)`
				: `buttons: ${r.fallback}; run uses the vJoy buttons 7 and 9 (install the app for CSP resets, or pass --reset buttons)`
		);
	world.close();
}
