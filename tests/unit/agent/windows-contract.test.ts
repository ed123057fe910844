/**
 * The Windows path's pure parts: Win32 BOOL declared as a 32-bit int for koffi, where
 * vJoyInterface.dll is looked for, neutral controls right after acquiring vJoy, and which
 * shared-memory versions are Assetto Corsa's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { smVersionProblem } from '../../../bridge-agent/src/ac/layout.ts';
import { HID_USAGE, VJOY_AXES, VJOY_PROTOTYPES, VJoyDevice, neutraliseVJoy } from '../../../bridge-agent/src/sinks/vjoy-sink.ts';
import { locateVJoyDll } from '../../../bridge-agent/src/sinks/vjoy-dll.ts';
import { ADVAPI32_PROTOTYPES, KERNEL32_PROTOTYPES, SHELL32_PROTOTYPES, WINMM_PROTOTYPES } from '../../../bridge-agent/src/sources/win32.ts';
import { recordingVJoy } from './fake-vjoy-api.ts';

describe('Windows contracts', () => {
	it('declares no Win32 BOOL as koffi bool (one byte of an 8-byte slot)', () => {
		for (const prototype of [
			...Object.values(VJOY_PROTOTYPES),
			...Object.values(KERNEL32_PROTOTYPES),
			...Object.values(ADVAPI32_PROTOTYPES),
			...Object.values(SHELL32_PROTOTYPES),
			...Object.values(WINMM_PROTOTYPES)
		])
			assert.doesNotMatch(prototype, /\bbool\b/, prototype);
		assert.match(VJOY_PROTOTYPES.SetBtn, /SetBtn\(int value, uint32 rID, uint8 nBtn\)/);
		assert.match(VJOY_PROTOTYPES.SetAxis, /SetAxis\(int32 value, uint32 rID, uint32 axis\)/);
		assert.match(KERNEL32_PROTOTYPES.OpenFileMappingW, /int inherit/);
	});

	it('finds vJoyInterface.dll: --vjoy-dll, the registry, Program Files, then the search path', () => {
		const files = new Set(['D:\\Tools\\vJoy\\x64\\vJoyInterface.dll', 'C:\\Program Files\\vJoy\\x64\\vJoyInterface.dll']);
		const world = (registry: Record<string, string>) => ({
			registry: (v: string) => registry[v],
			programFiles: 'C:\\Program Files',
			exists: (p: string) => files.has(p)
		});
		assert.deepEqual(locateVJoyDll('E:\\my.dll', world({})), { path: 'E:\\my.dll', how: '--vjoy-dll', found: false, looked: ['E:\\my.dll'] });
		const fromRegistry = locateVJoyDll('', world({ DllX64Location: 'D:\\Tools\\vJoy\\x64' }));
		assert.equal(fromRegistry.path, 'D:\\Tools\\vJoy\\x64\\vJoyInterface.dll');
		assert.equal(fromRegistry.how, 'registry DllX64Location');
		const fromInstall = locateVJoyDll('', world({ InstallLocation: 'D:\\Tools\\vJoy\\' }));
		assert.equal(fromInstall.how, 'registry InstallLocation');
		const fromProgramFiles = locateVJoyDll('', world({ DllX64Location: 'E:\\gone' }));
		assert.deepEqual([fromProgramFiles.path, fromProgramFiles.how], ['C:\\Program Files\\vJoy\\x64\\vJoyInterface.dll', 'Program Files']);
		files.clear();
		const none = locateVJoyDll('', world({}));
		assert.deepEqual([none.path, none.found], ['vJoyInterface.dll', false]);
		assert.deepEqual(none.looked, ['C:\\Program Files\\vJoy\\x64\\vJoyInterface.dll', 'the DLL search path']);
	});

	it('writes neutral controls right after AcquireVJD/ResetVJD (which centre X/Y/Z: 50 % throttle and brake)', async () => {
		const { api, calls } = recordingVJoy();
		const device = new VJoyDevice(api, 1);
		device.acquire();
		assert.deepEqual(calls, ['AcquireVJD(1)', 'ResetVJD(1)', 'SetAxis(16384, 1, 0x30)', 'SetAxis(1, 1, 0x31)', 'SetAxis(1, 1, 0x32)', 'SetAxis(1, 1, 0x35)']);
		assert.equal(HID_USAGE.Y, 0x31);
		calls.length = 0;
		await device.press(7, 1);
		assert.deepEqual(calls, ['SetBtn(1, 1, 7)', 'SetBtn(0, 1, 7)'], 'BOOL arguments are the ints 1 and 0');
	});

	it('close releases a button whose press was cut short (else it stays held after RelinquishVJD)', async () => {
		const { api, calls } = recordingVJoy();
		const device = new VJoyDevice(api, 1);
		device.acquire();
		calls.length = 0;
		const pressing = device.press(7, 5);
		device.close();
		await pressing; // its release comes after the device was given back: nothing more is called
		assert.deepEqual(calls, [
			'SetBtn(1, 1, 7)',
			'SetAxis(16384, 1, 0x30)',
			'SetAxis(1, 1, 0x31)',
			'SetAxis(1, 1, 0x32)',
			'SetAxis(1, 1, 0x35)',
			'SetBtn(0, 1, 7)',
			'RelinquishVJD(1)'
		]);
	});

	it('names the axes and buttons Configure vJoy left out', () => {
		const device = new VJoyDevice(recordingVJoy({ axes: [0x30, 0x31, 0x32], buttons: 8 }).api, 1);
		assert.equal(device.missing(VJOY_AXES, 9), 'vJoy device 1 has no axis RZ (clutch) and 8 buttons, 9 needed');
		assert.equal(device.missing(VJOY_AXES.slice(0, 3), 8), '');
	});

	it("neutralises a dead owner's device: acquire, every axis neutral, buttons released, relinquish", () => {
		const free = recordingVJoy();
		assert.equal(neutraliseVJoy(free.api, 1), 'vJoy device 1 set neutral and relinquished');
		assert.deepEqual(free.calls, [
			'AcquireVJD(1)',
			'SetAxis(16384, 1, 0x30)',
			'SetAxis(1, 1, 0x31)',
			'SetAxis(1, 1, 0x32)',
			'SetAxis(1, 1, 0x35)',
			'ResetButtons(1)',
			'RelinquishVJD(1)'
		]);
		const busy = recordingVJoy({ status: 2 });
		assert.match(neutraliseVJoy(busy.api, 1), /not neutralised: vJoy device 1 is busy/);
		assert.deepEqual(busy.calls, []);
	});

	it("accepts Assetto Corsa's shared memory versions and refuses ACC's (same page names, other layout)", () => {
		assert.equal(smVersionProblem('1.7'), '');
		assert.equal(smVersionProblem('1.5'), '');
		assert.match(smVersionProblem('1.9'), /Competizione/);
		assert.match(smVersionProblem('2.0'), /Competizione/);
		assert.match(smVersionProblem(''), /no shared memory version/);
	});
});
