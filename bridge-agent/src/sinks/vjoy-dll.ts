/**
 * Where vJoyInterface.dll is. vJoy's installer puts it in C:\Program Files\vJoy\x64 and records
 * that folder as DllX64Location under its uninstall key; the folder is not on PATH, so a bare
 * LoadLibrary("vJoyInterface.dll") fails on a normal PC. Order: --vjoy-dll, the registry
 * (DllX64Location, then InstallLocation\x64), %ProgramFiles%\vJoy\x64, then the DLL search path
 * (beside node.exe, PATH). Pure: the registry and the file system are passed in.
 */
import { win32 as winPath } from 'node:path';

export const VJOY_DLL = 'vJoyInterface.dll';
export const VJOY_UNINSTALL_KEY = 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{8E31F76F-74C3-47F1-9550-E041EEDC5FBB}_is1';

export interface VJoyDllChoice {
	/** What to pass to LoadLibrary. */
	path: string;
	/** How it was found, for doctor and the log. */
	how: string;
	/** False when nothing was found: `path` is then the bare name (the search path) or --vjoy-dll's. */
	found: boolean;
	/** Every place looked at, in order. */
	looked: string[];
}

export interface VJoyDllWorld {
	registry: (value: string) => string | undefined;
	programFiles: string | undefined;
	exists: (path: string) => boolean;
}

export function locateVJoyDll(explicit: string, world: VJoyDllWorld): VJoyDllChoice {
	if (explicit) return { path: explicit, how: '--vjoy-dll', found: world.exists(explicit), looked: [explicit] };
	const candidates: [string, string][] = [];
	const dllDir = world.registry('DllX64Location');
	if (dllDir) candidates.push([winPath.join(dllDir, VJOY_DLL), 'registry DllX64Location']);
	const installDir = world.registry('InstallLocation');
	if (installDir) candidates.push([winPath.join(installDir, 'x64', VJOY_DLL), 'registry InstallLocation']);
	candidates.push([winPath.join(world.programFiles || 'C:\\Program Files', 'vJoy', 'x64', VJOY_DLL), 'Program Files']);
	for (const [path, how] of candidates) if (world.exists(path)) return { path, how, found: true, looked: candidates.map((c) => c[0]) };
	return { path: VJOY_DLL, how: 'DLL search path', found: false, looked: [...candidates.map((c) => c[0]), 'the DLL search path'] };
}
