/** Pages as files: POSIX shared memory (/dev/shm/<prefix>-<page>) or any directory. */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_BYTES, type PageName } from '../ac/layout.ts';
import type { MappedPage, PageMapper } from './page-mapper.ts';

/** POSIX shared memory where there is one (Linux), else the temp directory (macOS, Windows). */
export const DEFAULT_SHM_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

export function pagePath(dir: string, prefix: string, page: PageName): string {
	return join(dir, `${prefix}-${page}`);
}

export class FileMapper implements PageMapper {
	constructor(
		readonly dir: string,
		readonly prefix: string
	) {}

	get description(): string {
		return `files ${pagePath(this.dir, this.prefix, 'physics')} …`;
	}

	open(page: PageName): MappedPage | undefined {
		const path = pagePath(this.dir, this.prefix, page);
		if (!existsSync(path)) return undefined;
		const fd = openSync(path, 'r');
		const size = PAGE_BYTES[page];
		return {
			size,
			read: (into) => void readSync(fd, into, 0, size, 0),
			readHead: (into) => void readSync(fd, into, 0, 4, 0),
			close: () => closeSync(fd)
		};
	}
}
