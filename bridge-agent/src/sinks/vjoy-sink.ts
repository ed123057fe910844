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
export const AXIS_CENTRE = 0x4000;
export const HID_USAGE = { X: 0x30, Y: 0x31, Z: 0x32, RZ: 0x35 } as const;
export const VJOY_BUTTON = { GEAR_UP: 1, GEAR_DOWN: 2, RESTART_RACE: 7, RESTART_SESSION: 8, START_RACE: 9 } as const;
/** What each button does in AC once bound (ac-facts.md): the ones the agent presses or may press. */
export const BUTTON_NAMES: Record<number, string> = {
	[VJOY_BUTTON.GEAR_UP]: 'gear up',
	[VJOY_BUTTON.GEAR_DOWN]: 'gear down',
	[VJOY_BUTTON.RESTART_RACE]: 'restart race',
	[VJOY_BUTTON.RESTART_SESSION]: 'restart session (Content Manager)',
	[VJOY_BUTTON.START_RACE]: 'start race (Content Manager)'
};
/** The axes the agent drives, with their neutral value (steer centred, pedals released). */
export const VJOY_AXES = [
	{ name: 'steer', axis: 'X', usage: HID_USAGE.X, neutral: AXIS_CENTRE },
	{ name: 'throttle', axis: 'Y', usage: HID_USAGE.Y, neutral: AXIS_MIN },
	{ name: 'brake', axis: 'Z', usage: HID_USAGE.Z, neutral: AXIS_MIN },
	{ name: 'clutch', axis: 'RZ', usage: HID_USAGE.RZ, neutral: AXIS_MIN }
] as const;
export type VJoyAxis = (typeof VJOY_AXES)[number];
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
	ResetButtons: 'int __cdecl ResetButtons(uint32 rID)',
	GetVJDAxisExist: 'int __cdecl GetVJDAxisExist(uint32 rID, uint32 axis)',
	GetVJDButtonNumber: 'int __cdecl GetVJDButtonNumber(uint32 rID)',
	SetAxis: 'int __cdecl SetAxis(int32 value, uint32 rID, uint32 axis)',
	SetBtn: 'int __cdecl SetBtn(int value, uint32 rID, uint8 nBtn)'
} as const;

export interface VJoyApi {
	vJoyEnabled(): number;
	GetVJDStatus(id: number): number;
	AcquireVJD(id: number): number;
	RelinquishVJD(id: number): void;
	ResetVJD(id: number): number;
	ResetButtons(id: number): number;
	GetVJDAxisExist(id: number, axis: number): number;
	GetVJDButtonNumber(id: number): number;
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
	/** Buttons pressed and not yet released (released on close, whatever interrupted a press). */
	private readonly held = new Set<number>();

	constructor(
		private readonly api: VJoyApi,
		readonly id: number
	) {}

	/** What the device lacks of what `axes` and `buttons` need (Configure vJoy), or ''. */
	missing(axes: readonly VJoyAxis[], buttons: number): string {
		const lacking = axes.filter((a) => !this.api.GetVJDAxisExist(this.id, a.usage)).map((a) => `${a.axis} (${a.name})`);
		const count = this.api.GetVJDButtonNumber(this.id);
		const problems = [...(lacking.length ? [`no axis ${lacking.join(', ')}`] : []), ...(count < buttons ? [`${count} buttons, ${buttons} needed`] : [])];
		return problems.length ? `vJoy device ${this.id} has ${problems.join(' and ')}` : '';
	}

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
		// RZ (clutch) stays released: AC's automatic clutch does the work (docs/windows-agent.md).
		this.api.SetAxis(steerAxis(c.steer), this.id, HID_USAGE.X);
		this.api.SetAxis(pedalAxis(c.throttle), this.id, HID_USAGE.Y);
		this.api.SetAxis(pedalAxis(c.brake), this.id, HID_USAGE.Z);
		this.api.SetAxis(pedalAxis(0), this.id, HID_USAGE.RZ);
	}

	/** One axis (HID usage) to a raw value, clamped to 0x1…0x8000. */
	setAxis(usage: number, value: number): void {
		if (!this.acquired) return;
		this.api.SetAxis(Math.round(Math.min(AXIS_MAX, Math.max(AXIS_MIN, value))), this.id, usage);
	}

	button(button: number, down: boolean): void {
		if (!this.acquired) return;
		if (down) this.held.add(button);
		else this.held.delete(button);
		this.api.SetBtn(down ? 1 : 0, this.id, button);
	}

	async press(button: number, ms: number): Promise<void> {
		this.button(button, true);
		await new Promise((resolve) => setTimeout(resolve, ms));
		this.button(button, false);
	}

	/** Neutral axes, every held button released, then the device given back. */
	close(): void {
		if (!this.acquired) return;
		this.write({ steer: 0, throttle: 0, brake: 0 });
		for (const button of [...this.held]) this.button(button, false);
		this.api.RelinquishVJD(this.id);
		this.acquired = false;
	}
}

/**
 * For a process that did not drive the device (the supervisor, after the control process died):
 * acquire it — free again once its owner is dead, the axes still where they were left — set
 * every axis neutral, release every button, give it back. Returns what happened, for the log.
 */
export function neutraliseVJoy(api: VJoyApi, id: number): string {
	const state = api.GetVJDStatus(id);
	if (state !== 0 && state !== 1) return `not neutralised: vJoy device ${id} is ${VJD_STAT[state] ?? 'unknown'}`;
	if (!api.AcquireVJD(id)) return `not neutralised: could not acquire vJoy device ${id}`;
	for (const axis of VJOY_AXES) api.SetAxis(axis.neutral, id, axis.usage);
	api.ResetButtons(id);
	api.RelinquishVJD(id);
	return `vJoy device ${id} set neutral and relinquished`;
}
