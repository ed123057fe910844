/**
 * Publishes AC-layout pages as files (/dev/shm/<prefix>-<page> by default), as AC publishes its
 * named mappings, so an agent in another process reads them through FileMapper + AcReader.
 *
 * A page is written seqlock-style: packetId := WRITING (−1), then the body, then the new
 * packetId. A reader that sees WRITING, or a packetId that changed while it copied, copies again —
 * so it never accepts a half-written page.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import type { PageName } from '../ac/layout.ts';
import { WRITING_ID } from '../sources/ac-reader.ts';
import { pagePath } from '../sources/file-mapper.ts';

const WRITING = new Uint8Array(new Int32Array([WRITING_ID]).buffer);

export class PagePublisher {
	private readonly fds = new Map<PageName, number>();
	private readonly paths: string[] = [];

	constructor(
		readonly dir: string,
		readonly prefix: string
	) {}

	/** Writes one page (creating its file on first use). */
	publish(page: PageName, bytes: Uint8Array): void {
		let fd = this.fds.get(page);
		if (fd === undefined) {
			const path = pagePath(this.dir, this.prefix, page);
			fd = openSync(path, 'w+', 0o644);
			this.fds.set(page, fd);
			this.paths.push(path);
			writeSync(fd, bytes, 0, bytes.length, 0);
			return;
		}
		writeSync(fd, WRITING, 0, 4, 0);
		writeSync(fd, bytes, 4, bytes.length - 4, 4);
		writeSync(fd, bytes, 0, 4, 0);
	}

	/** Closes and removes the files: readers then see "not running", as when AC quits. */
	close(): void {
		for (const fd of this.fds.values()) closeSync(fd);
		for (const path of this.paths) rmSync(path, { force: true });
		this.fds.clear();
	}
}
