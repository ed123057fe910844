/**
 * Action smoothing with the original presets (ac-facts.md): clamp → asymmetric rate limit on the
 * change from the previous output → EMA → clamp. The original applied its limits per call at
 * 10 Hz; here they are per 0.1 s and scaled by dt, so a preset means the same at any control rate.
 * Non-finite inputs never pass: they become neutral controls (and are counted).
 */
import type { Controls } from '../driving/controls.ts';

export interface SmoothingPreset {
	steerRate: number;
	throttleUp: number;
	throttleDown: number;
	brakeUp: number;
	brakeDown: number;
	alphaSteer: number;
	alphaThrottle: number;
	alphaBrake: number;
}

const REFERENCE_DT = 0.1;

export const SMOOTHING_PRESETS: Record<string, SmoothingPreset | null> = {
	conservative: { steerRate: 0.1, throttleUp: 0.08, throttleDown: 0.2, brakeUp: 0.25, brakeDown: 0.08, alphaSteer: 0.5, alphaThrottle: 0.6, alphaBrake: 0.6 },
	moderate: { steerRate: 0.15, throttleUp: 0.1, throttleDown: 0.25, brakeUp: 0.3, brakeDown: 0.1, alphaSteer: 0.6, alphaThrottle: 0.7, alphaBrake: 0.7 },
	aggressive: { steerRate: 0.2, throttleUp: 0.15, throttleDown: 0.3, brakeUp: 0.4, brakeDown: 0.15, alphaSteer: 0.7, alphaThrottle: 0.8, alphaBrake: 0.8 },
	none: null
};

export const NEUTRAL: Readonly<Controls> = Object.freeze({ steer: 0, throttle: 0, brake: 0 });

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** Clips an action vector [steer, throttle, brake] to its bounds; non-finite → neutral. */
export function toControls(action: ArrayLike<number>): { controls: Controls; neutral: boolean } {
	if (!(Number.isFinite(action[0]) && Number.isFinite(action[1]) && Number.isFinite(action[2]))) return { controls: { ...NEUTRAL }, neutral: true };
	return { controls: { steer: clamp(action[0], -1, 1), throttle: clamp(action[1], 0, 1), brake: clamp(action[2], 0, 1) }, neutral: false };
}

export class Smoother {
	private previous: Controls = { ...NEUTRAL };

	constructor(readonly preset: SmoothingPreset | null) {}

	static named(name: string): Smoother {
		if (!(name in SMOOTHING_PRESETS)) throw new Error(`unknown smoothing "${name}" (choose ${Object.keys(SMOOTHING_PRESETS).join(', ')})`);
		return new Smoother(SMOOTHING_PRESETS[name]);
	}

	reset(): void {
		this.previous = { ...NEUTRAL };
	}

	apply(target: Controls, dt: number): Controls {
		const p = this.preset;
		if (!p) return (this.previous = { ...target });
		const scale = dt / REFERENCE_DT;
		// EMA weights are per reference step too: α_dt = 1 − (1 − α)^(dt/0.1).
		const alpha = (a: number) => 1 - (1 - a) ** scale;
		const limit = (value: number, prev: number, up: number, down: number) => clamp(value, prev - down * scale, prev + up * scale);
		const prev = this.previous;
		const steer = limit(target.steer, prev.steer, p.steerRate, p.steerRate);
		const throttle = limit(target.throttle, prev.throttle, p.throttleUp, p.throttleDown);
		const brake = limit(target.brake, prev.brake, p.brakeUp, p.brakeDown);
		const ema = (v: number, old: number, a: number) => alpha(a) * v + (1 - alpha(a)) * old;
		this.previous = {
			steer: clamp(ema(steer, prev.steer, p.alphaSteer), -1, 1),
			throttle: clamp(ema(throttle, prev.throttle, p.alphaThrottle), 0, 1),
			brake: clamp(ema(brake, prev.brake, p.alphaBrake), 0, 1)
		};
		return this.previous;
	}
}
