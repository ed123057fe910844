/**
 * vJoy through koffi (Windows): device n gets steer on X, throttle on Y, brake on Z, clutch on RZ,
 * each over 0x1…0x8000 (centre 0x4000), and buttons for AC's reset and gears (ac-facts.md).
 * Acquired on open, neutral and relinquished on close.
 */
import { createRequire } from 'node:module';
import type { Controls } from '../driving/controls.ts';
import type { ControlDevice } from './control-sink.ts';

export const AXIS_MIN = 0x1;
export const AXIS_MAX = 0x8000;
export const HID_USAGE = { X: 0x30, Y: 0x31, Z: 0x32, RZ: 0x35 } as const;
export const VJOY_BUTTON = { GEAR_UP: 1, GEAR_DOWN: 2, RESTART_RACE: 7, RESTART_SESSION: 8, START_RACE: 9 } as const;
const VJD_STAT = ['owned by this process', 'free', 'busy (owned by another process)', 'missing (not configured)', 'unknown'] as const;

/** Pedal 0…1 → 0x1…0x8000. */
export function pedalAxis(p: number): number {
	return AXIS_MIN + Math.floor(Math.min(1, Math.max(0, p)) * (AXIS_MAX - AXIS_MIN));
}

/** Steer −1…1 → 0x1…0x8000, 0 → 0x4000 (the centre). */
export function steerAxis(s: number): number {
	return AXIS_MIN + Math.floor(((Math.min(1, Math.max(-1, s)) + 1) / 2) * (AXIS_MAX - AXIS_MIN));
}

interface VJoyApi {
	vJoyEnabled(): boolean;
	GetVJDStatus(id: number): number;
	AcquireVJD(id: number): boolean;
	RelinquishVJD(id: number): void;
	ResetVJD(id: number): boolean;
	SetAxis(value: number, id: number, axis: number): boolean;
	SetBtn(value: boolean, id: number, button: number): boolean;
}

export function loadVJoy(dllPath = 'vJoyInterface.dll'): VJoyApi {
	const require = createRequire(import.meta.url);
	const koffi = require('koffi');
	const lib = koffi.load(dllPath);
	return {
		vJoyEnabled: lib.func('bool __stdcall vJoyEnabled()'),
		GetVJDStatus: lib.func('int __stdcall GetVJDStatus(uint32 rID)'),
		AcquireVJD: lib.func('bool __stdcall AcquireVJD(uint32 rID)'),
		RelinquishVJD: lib.func('void __stdcall RelinquishVJD(uint32 rID)'),
		ResetVJD: lib.func('bool __stdcall ResetVJD(uint32 rID)'),
		SetAxis: lib.func('bool __stdcall SetAxis(long value, uint32 rID, uint32 axis)'),
		SetBtn: lib.func('bool __stdcall SetBtn(bool value, uint32 rID, uint8 nBtn)')
	};
}

export class VJoyDevice implements ControlDevice {
	private acquired = false;

	constructor(
		private readonly api: VJoyApi,
		readonly id: number
	) {}

	/** Why the device cannot be used, or '' when it can. */
	status(): string {
		if (!this.api.vJoyEnabled()) return 'vJoy driver is not installed or not enabled';
		const state = this.api.GetVJDStatus(this.id);
		return state === 0 || state === 1 ? '' : `vJoy device ${this.id} is ${VJD_STAT[state] ?? 'unknown'}`;
	}

	acquire(): void {
		const problem = this.status();
		if (problem) throw new Error(problem);
		if (!this.api.AcquireVJD(this.id)) throw new Error(`could not acquire vJoy device ${this.id}`);
		this.acquired = true;
		this.api.ResetVJD(this.id);
	}

	write(c: Controls): void {
		if (!this.acquired) return;
		this.api.SetAxis(steerAxis(c.steer), this.id, HID_USAGE.X);
		this.api.SetAxis(pedalAxis(c.throttle), this.id, HID_USAGE.Y);
		this.api.SetAxis(pedalAxis(c.brake), this.id, HID_USAGE.Z);
		this.api.SetAxis(pedalAxis(0), this.id, HID_USAGE.RZ);
	}

	async press(button: number, ms: number): Promise<void> {
		if (!this.acquired) return;
		this.api.SetBtn(true, this.id, button);
		await new Promise((resolve) => setTimeout(resolve, ms));
		this.api.SetBtn(false, this.id, button);
	}

	close(): void {
		if (!this.acquired) return;
		this.write({ steer: 0, throttle: 0, brake: 0 });
		this.api.RelinquishVJD(this.id);
		this.acquired = false;
	}
}
