/**
 * Read-only access to AC's three shared-memory pages. Two implementations: Windows named file
 * mappings through koffi (win32-mapper.ts), and files (posix shared memory in /dev/shm, or any
 * path) through node:fs (file-mapper.ts) so the same reader runs on Linux against pages another
 * process writes — the simulated car publishes them that way.
 */
import type { PageName } from '../ac/layout.ts';

export interface MappedPage {
	readonly size: number;
	/** Copies the page's current bytes into `into` (length ≥ size). */
	read(into: Uint8Array): void;
	/** Copies just the first 4 bytes (packetId) into `into`. */
	readHead(into: Uint8Array): void;
	close(): void;
}

export interface PageMapper {
	readonly description: string;
	/** The page, or undefined when it does not exist (AC not running): never creates it. */
	open(page: PageName): MappedPage | undefined;
}

export class AcNotRunningError extends Error {
	constructor(what: string) {
		super(`Assetto Corsa is not running (${what} not found). Start AC and get into a session, then try again.`);
		this.name = 'AcNotRunningError';
	}
}

/** Something on this PC is not set up as the agent needs (said as is, exit 1, no stack). */
export class SetupError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'SetupError';
	}
}

/** AC's pages exist but cannot be read (access denied, a failed view, another game's layout). */
export class AcPagesError extends SetupError {
	constructor(message: string) {
		super(message);
		this.name = 'AcPagesError';
	}
}
