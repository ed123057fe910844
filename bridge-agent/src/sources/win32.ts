/**
 * The Win32 functions the agent calls through koffi, bound ONCE per process: koffi's type names
 * are process-wide (declaring HANDLE a second time throws "Duplicate type name"), and pages are
 * opened again after AC restarts. Win32 BOOL is a 32-bit int: it is declared `int`, never `bool`
 * (koffi passes a bool by writing one byte of an 8-byte slot and leaves the rest as it was).
 * Failures carry GetLastError's code and the system's text for it (FormatMessageW).
 */
import { createRequire } from 'node:module';

/** The prototypes, as koffi reads them (exported for the test that keeps BOOL an int). */
export const KERNEL32_PROTOTYPES = {
	OpenFileMappingW: 'HANDLE __stdcall OpenFileMappingW(uint32 access, int inherit, str16 name)',
	MapViewOfFile: 'void * __stdcall MapViewOfFile(HANDLE h, uint32 access, uint32 high, uint32 low, size_t bytes)',
	UnmapViewOfFile: 'int __stdcall UnmapViewOfFile(void *view)',
	CloseHandle: 'int __stdcall CloseHandle(HANDLE h)',
	GetLastError: 'uint32 __stdcall GetLastError()',
	FormatMessageW: 'uint32 __stdcall FormatMessageW(uint32 flags, void *source, uint32 id, uint32 lang, void *buffer, uint32 size, void *args)'
} as const;
/** Timer resolution (control/timer-resolution.ts). MMRESULT is a UINT: 0 = TIMERR_NOERROR. */
export const WINMM_PROTOTYPES = {
	timeBeginPeriod: 'uint32 __stdcall timeBeginPeriod(uint32 uPeriod)',
	timeEndPeriod: 'uint32 __stdcall timeEndPeriod(uint32 uPeriod)'
} as const;
export const ADVAPI32_PROTOTYPES = {
	RegGetValueW: 'long __stdcall RegGetValueW(intptr hkey, str16 subKey, str16 value, uint32 flags, void *type, void *data, void *size)'
} as const;

/** The shell's known folders: where AC (and its Python apps) keep "Documents\Assetto Corsa". */
export const SHELL32_PROTOTYPES = {
	SHGetFolderPathW: 'long __stdcall SHGetFolderPathW(void *hwnd, int csidl, void *token, uint32 flags, void *path)'
} as const;

export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_ACCESS_DENIED = 5;

export interface Win32 {
	koffi: { view(pointer: unknown, bytes: number): ArrayBuffer };
	OpenFileMappingW(access: number, inherit: number, name: string): unknown;
	MapViewOfFile(handle: unknown, access: number, high: number, low: number, bytes: number): unknown;
	UnmapViewOfFile(view: unknown): number;
	CloseHandle(handle: unknown): number;
	GetLastError(): number;
	FormatMessageW(flags: number, source: null, id: number, lang: number, buffer: Buffer, size: number, args: null): number;
	RegGetValueW(hkey: number, subKey: string, value: string, flags: number, type: null, data: Buffer | null, size: Buffer): number;
}

let bound: Win32 | undefined;

/** kernel32 and advapi32 through koffi, bound on first use. */
export function win32(): Win32 {
	if (bound) return bound;
	// koffi is the one native add-on, installed beside the bundle on the Windows PC (see docs).
	const koffi = createRequire(import.meta.url)('koffi');
	koffi.pointer('HANDLE', koffi.opaque());
	const kernel32 = koffi.load('kernel32.dll');
	const advapi32 = koffi.load('advapi32.dll');
	const api: Record<string, unknown> = { koffi };
	for (const [name, prototype] of Object.entries(KERNEL32_PROTOTYPES)) api[name] = kernel32.func(prototype);
	for (const [name, prototype] of Object.entries(ADVAPI32_PROTOTYPES)) api[name] = advapi32.func(prototype);
	bound = api as unknown as Win32;
	return bound;
}

/** A DLL's functions through koffi, bound on first use (apart from kernel32: the pages never depend on them). */
function lazyLibrary<T>(dll: string, prototypes: Record<string, string>): () => T {
	let bound: T | undefined;
	return () => {
		if (bound) return bound;
		const lib = createRequire(import.meta.url)('koffi').load(dll);
		bound = Object.fromEntries(Object.entries(prototypes).map(([name, prototype]) => [name, lib.func(prototype)])) as T;
		return bound;
	};
}

type Winmm = Record<keyof typeof WINMM_PROTOTYPES, (ms: number) => number>;
/** winmm: the timer resolution. */
export const winmm = lazyLibrary<Winmm>('winmm.dll', WINMM_PROTOTYPES);

type Shell32 = { SHGetFolderPathW(hwnd: null, csidl: number, token: null, flags: number, path: Buffer): number };
const shell32 = lazyLibrary<Shell32>('shell32.dll', SHELL32_PROTOTYPES);

const CSIDL_PERSONAL = 5;

/** The user's Documents folder as the shell knows it (moved to OneDrive, say), or undefined. */
export function documentsFolder(): string | undefined {
	const path = Buffer.alloc(2 * 260); // MAX_PATH wide characters
	if (shell32().SHGetFolderPathW(null, CSIDL_PERSONAL, null, 0, path) !== 0) return undefined;
	return path.toString('utf16le').split('\0')[0] || undefined;
}

/** The system's text for a Win32 error code, e.g. 5 → "Access is denied." */
export function errorText(code: number): string {
	const buffer = Buffer.alloc(1024);
	const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
	const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
	const n = win32().FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, null, code, 0, buffer, 512, null);
	return n > 0 ? buffer.toString('utf16le', 0, 2 * n).trim() : `error ${code}`;
}

const HKEY_LOCAL_MACHINE = -0x7ffffffe; // (HKEY)(ULONG_PTR)(LONG)0x80000002, sign-extended
const RRF_RT_REG_SZ = 0x2;
const RRF_SUBKEY_WOW6464KEY = 0x10000;
const RRF_SUBKEY_WOW6432KEY = 0x20000;

/** A REG_SZ value under HKLM (the 64-bit view, then the 32-bit one), or undefined. */
export function readMachineString(subKey: string, value: string): string | undefined {
	const api = win32();
	for (const view of [RRF_SUBKEY_WOW6464KEY, RRF_SUBKEY_WOW6432KEY, 0]) {
		const data = Buffer.alloc(2048);
		const size = Buffer.alloc(4);
		size.writeUInt32LE(data.length);
		if (api.RegGetValueW(HKEY_LOCAL_MACHINE, subKey, value, RRF_RT_REG_SZ | view, null, data, size) !== 0) continue;
		const text = data.toString('utf16le', 0, size.readUInt32LE(0)).replace(/\0+$/, '');
		if (text) return text;
	}
	return undefined;
}
