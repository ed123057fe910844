/**
 * The process's one runtime, in a globalThis slot: the upgrade router (server.ts or
 * vite.config.ts) and the +server.ts routes (SvelteKit's own module graph) share it.
 */
import { parseServerConfig, type ServerConfig } from '../config.ts';
import { Runtime, type RuntimeDeps } from './index.ts';

const SLOT = Symbol.for('pitwall.runtime');
type Slot = { [SLOT]?: Runtime };

/** The process's runtime, created on first call (from argv/env unless a config is given). */
export function getRuntime(config?: ServerConfig, deps?: RuntimeDeps): Runtime {
	const slot = globalThis as Slot;
	slot[SLOT] ??= new Runtime(config ?? parseServerConfig(process.argv.slice(2), process.env), deps);
	return slot[SLOT];
}

/** Forgets the runtime (tests that start several servers in one process). */
export function resetRuntime(): void {
	delete (globalThis as Slot)[SLOT];
}
