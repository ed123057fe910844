/**
 * vJoy through koffi (Windows): device n gets steer on X, throttle on Y, brake on Z, clutch on RZ,
 * each over 0x1…0x8000 (centre 0x4000), and buttons for AC's reset and gears (ac-facts.md).
 * Acquired on open — and set neutral at once, since acquiring centres X/Y/Z (50 % throttle and
 * 50 % brake) — neutral and relinquished on close. The SDK's functions are __cdecl with Win32
 * BOOL, a 32-bit int: declared `int` (a koffi `bool` fills one byte of the argument's slot, so
 * SetBtn(false) after SetAxis(0x4000) reached the driver as 0x4000, a held button).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import type { Controls } from '../driving/controls.ts';
import type { ControlDevice } from './control-sink.ts';
import { locateVJoyDll, VJOY_UNINSTALL_KEY, type VJoyDllChoice } from './vjoy-dll.ts';

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

/** vjoyinterface.h's prototypes as koffi reads them (BOOL → int, LONG → int32, UINT → uint32). */
export const VJOY_PROTOTYPES = {
	vJoyEnabled: 'int __cdecl vJoyEnabled()',
	GetVJDStatus: 'int __cdecl GetVJDStatus(uint32 rID)',
	AcquireVJD: 'int __cdecl AcquireVJD(uint32 rID)',
	RelinquishVJD: 'void __cdecl RelinquishVJD(uint32 rID)',
	ResetVJD: 'int __cdecl ResetVJD(uint32 rID)',
	SetAxis: 'int __cdecl SetAxis(int32 value, uint32 rID, uint32 axis)',
	SetBtn: 'int __cdecl SetBtn(int value, uint32 rID, uint8 nBtn)'
} as const;

export interface VJoyApi {
	vJoyEnabled(): number;
	GetVJDStatus(id: number): number;
	AcquireVJD(id: number): number;
	RelinquishVJD(id: number): void;
	ResetVJD(id: number): number;
	SetAxis(value: number, id: number, axis: number): number;
	SetBtn(value: 0 | 1, id: number, button: number): number;
}

/** Finds vJoyInterface.dll (see vjoy-dll.ts) on this Windows PC. */
export async function findVJoyDll(explicit: string): Promise<VJoyDllChoice> {
	const { readMachineString } = await import('../sources/win32.ts');
	return locateVJoyDll(explicit, {
		registry: (value) => readMachineString(VJOY_UNINSTALL_KEY, value),
		programFiles: process.env.ProgramW6432 || process.env.ProgramFiles,
		exists: existsSync
	});
}

/** Loads the DLL; a missing one is reported with every place that was looked at. */
export function loadVJoy(choice: VJoyDllChoice): VJoyApi {
	const require = createRequire(import.meta.url);
	const koffi = require('koffi');
	let lib: { func(prototype: string): unknown };
	try {
		lib = koffi.load(choice.path);
	} catch (error) {
		throw new Error(
			`${choice.path} (${choice.how}): ${choice.found ? (error as Error).message : 'not found'} — looked in ${choice.looked.join(', ')}. Install vJoy (2.1.9+) or pass --vjoy-dll <path of vJoyInterface.dll>`
		);
	}
	const api: Record<string, unknown> = {};
	for (const [name, prototype] of Object.entries(VJOY_PROTOTYPES)) api[name] = lib.func(prototype);
	return api as unknown as VJoyApi;
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
		this.api.ResetVJD(this.id); // buttons released; X/Y/Z centred: 50 % throttle and brake …
		this.write({ steer: 0, throttle: 0, brake: 0 }); // … so neutral before anything else
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
		this.api.SetBtn(1, this.id, button);
		await new Promise((resolve) => setTimeout(resolve, ms));
		this.api.SetBtn(0, this.id, button);
	}

	close(): void {
		if (!this.acquired) return;
		this.write({ steer: 0, throttle: 0, brake: 0 });
		this.api.RelinquishVJD(this.id);
		this.acquired = false;
	}
}
