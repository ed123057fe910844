/**
 * A recording vJoyInterface for unit tests of the logic around the DLL (the real DLL's contract is
 * exercised under Wine, tests/windows): every call as "Name(args)", the device free, every axis
 * and 12 buttons present unless told otherwise.
 */
import type { VJoyApi } from '../../../bridge-agent/src/sinks/vjoy-sink.ts';

export function recordingVJoy(o: { status?: number; axes?: number[]; buttons?: number } = {}): { api: VJoyApi; calls: string[] } {
	const calls: string[] = [];
	const hex = (n: number) => `0x${n.toString(16)}`;
	const api: VJoyApi = {
		vJoyEnabled: () => 1,
		GetVJDStatus: () => o.status ?? 1,
		AcquireVJD: (id) => (calls.push(`AcquireVJD(${id})`), 1),
		RelinquishVJD: (id) => void calls.push(`RelinquishVJD(${id})`),
		ResetVJD: (id) => (calls.push(`ResetVJD(${id})`), 1),
		ResetButtons: (id) => (calls.push(`ResetButtons(${id})`), 1),
		GetVJDAxisExist: (_id, axis) => ((o.axes ?? [0x30, 0x31, 0x32, 0x35]).includes(axis) ? 1 : 0),
		GetVJDButtonNumber: () => o.buttons ?? 12,
		SetAxis: (value, id, axis) => (calls.push(`SetAxis(${value}, ${id}, ${hex(axis)})`), 1),
		SetBtn: (value, id, button) => (calls.push(`SetBtn(${value}, ${id}, ${button})`), 1)
	};
	return { api, calls };
}
