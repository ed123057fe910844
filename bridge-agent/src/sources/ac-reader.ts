/**
 * Coherent snapshots of AC's pages: copy a page, re-read its packetId, copy again if it moved
 * while copying. When a page stays torn for every retry (the writer descheduled mid-write), the
 * last coherent copy stands in and the fallback is counted (before the first one, the reader
 * waits up to FIRST_READ_PATIENCE_MS for one); the stale detector still sees time pass.
 * Reports OFF/REPLAY/PAUSE and stale data (physics or graphics packetId not advancing for a
 * while: AC steps physics, and renders the graphics page — where the car's position is — once a
 * frame; a paused, hung or quit game freezes them). `reopen()` lets go of the pages and maps them
 * again: a game that quit while we held its pages is then seen to be gone, a restarted one found.
 */
import {
	GRAPHICS_FIELDS,
	PAGE_BYTES,
	PHYSICS_FIELDS,
	STATIC_FIELDS,
	pageView,
	parsePage,
	type Graphics,
	type PageName,
	type Physics,
	type Static
} from '../ac/layout.ts';
import { AcNotRunningError, type MappedPage, type PageMapper } from './page-mapper.ts';

/** Copies tried before a torn page is reported. */
export const MAX_TORN_RETRIES = 5;
/**
 * With no coherent copy yet (the first read), torn copies are tried again for about this long
 * (as many tries, 1 ms apart): a writer descheduled mid-write on a loaded machine holds its page torn for a time slice.
 */
export const FIRST_READ_PATIENCE_MS = 250;
const pause = new Int32Array(new SharedArrayBuffer(4));
/** packetId of a page in the middle of being written (see sim/page-publisher.ts). */
export const WRITING_ID = -1;
/** physics.packetId or graphics.packetId unchanged this long → stale. */
export const STALE_AFTER_MS = 500;

export interface Snapshot {
	physics: Physics;
	graphics: Graphics;
	static: Static;
	/** A packetId (physics or graphics) has not advanced for STALE_AFTER_MS. */
	stale: boolean;
	/** How long the staler of the two packetIds has stood still, ms. */
	staleMs: number;
	/** Copies retried because a page changed while being read. */
	tornRetries: number;
	/** Reads that used the last coherent copy because every retry was torn. */
	tornFallbacks: number;
}

const physicsView = pageView(PHYSICS_FIELDS);
const graphicsView = pageView(GRAPHICS_FIELDS);

export class AcReader {
	/** undefined after a reopen() that found no pages (the game is gone): reads return the last copy. */
	private pages: Record<PageName, MappedPage> | undefined;
	private readonly buffers: Record<PageName, Uint8Array>;
	/** The last coherent copy of each live page (empty until the first one). */
	private readonly good: Record<'physics' | 'graphics', { bytes: Uint8Array; held: boolean }>;
	private readonly head = new Uint8Array(4);
	private lastPacket = -1;
	private lastPacketAt = 0;
	private lastGraphicsPacket = -1;
	private lastGraphicsAt = 0;
	private staticPage: Static;
	private readonly ring = [0, 1].map(() => {
		const physics = new Uint8Array(PAGE_BYTES.physics);
		const graphics = new Uint8Array(PAGE_BYTES.graphics);
		return { physics, graphics, physicsView: physicsView(physics), graphicsView: graphicsView(graphics) };
	});
	private turn = 0;
	tornRetries = 0;
	tornFallbacks = 0;

	constructor(
		private readonly mapper: PageMapper,
		private readonly now: () => number = Date.now
	) {
		this.pages = this.openPages();
		if (!this.pages) throw new AcNotRunningError(`${mapper.description}: page ${this.missing}`);
		this.buffers = { physics: new Uint8Array(PAGE_BYTES.physics), graphics: new Uint8Array(PAGE_BYTES.graphics), static: new Uint8Array(PAGE_BYTES.static) };
		this.good = {
			physics: { bytes: new Uint8Array(PAGE_BYTES.physics), held: false },
			graphics: { bytes: new Uint8Array(PAGE_BYTES.graphics), held: false }
		};
		this.staticPage = this.readStatic();
	}

	private missing: PageName | '' = '';

	/** All three pages, or undefined (and none held) when one is absent. */
	private openPages(): Record<PageName, MappedPage> | undefined {
		const opened: Partial<Record<PageName, MappedPage>> = {};
		try {
			for (const page of ['physics', 'graphics', 'static'] as const) {
				const mapped = this.mapper.open(page);
				if (!mapped) {
					this.missing = page;
					for (const p of Object.values(opened)) p.close();
					return undefined;
				}
				opened[page] = mapped;
			}
		} catch (error) {
			for (const p of Object.values(opened)) p.close();
			throw error;
		}
		return opened as Record<PageName, MappedPage>;
	}

	/** True while the pages are mapped (false after a reopen() that found none). */
	get mapped(): boolean {
		return this.pages !== undefined;
	}

	/**
	 * Lets go of the pages and maps them again; false when they are gone (the game quit and
	 * nobody else holds them). Reads meanwhile return the last copy, stale.
	 */
	reopen(): boolean {
		if (this.pages) for (const page of Object.values(this.pages)) page.close();
		this.pages = this.openPages();
		if (this.pages) this.readStatic();
		return this.pages !== undefined;
	}

	/**
	 * A copy of the page whose packetId did not change while copying (and was not WRITING, −1:
	 * pitwall's own publisher marks a page being written that way; AC's ids never go negative).
	 */
	private coherent(page: 'physics' | 'graphics'): Uint8Array {
		const buffer = this.buffers[page];
		const good = this.good[page];
		if (!this.pages) {
			if (!good.held) throw new Error(`${page} page is not mapped`);
			return good.bytes;
		}
		const mapped = this.pages[page];
		const headView = new DataView(this.head.buffer);
		const attempts = MAX_TORN_RETRIES + (good.held ? 0 : FIRST_READ_PATIENCE_MS);
		for (let attempt = 0; attempt <= attempts; attempt++) {
			if (attempt > MAX_TORN_RETRIES) Atomics.wait(pause, 0, 0, 1);
			mapped.read(buffer);
			mapped.readHead(this.head);
			const id = headView.getInt32(0, true);
			if (id !== WRITING_ID && id === new DataView(buffer.buffer).getInt32(0, true)) {
				good.bytes.set(buffer);
				good.held = true;
				return good.bytes;
			}
			this.tornRetries++;
		}
		if (!good.held) throw new Error(`${page} page kept changing while being read (${MAX_TORN_RETRIES} retries, then ${FIRST_READ_PATIENCE_MS} ms)`);
		this.tornFallbacks++;
		return good.bytes;
	}

	readStatic(): Static {
		if (!this.pages) return this.staticPage;
		this.pages.static.read(this.buffers.static);
		this.staticPage = parsePage(STATIC_FIELDS, this.buffers.static);
		return this.staticPage;
	}

	/** A snapshot on fresh copies of the pages: valid for as long as it is kept. */
	read(): Snapshot {
		// The views read their fields lazily from the copies.
		return this.snapshot(physicsView(this.coherent('physics').slice()), graphicsView(this.coherent('graphics').slice()));
	}

	/**
	 * The control loop's read: no allocation beyond the snapshot object. Pages are copied into two
	 * alternating buffer pairs, so a snapshot stays valid until the second `next()` after it (the
	 * loop holds the current one while it reads the next).
	 */
	next(): Snapshot {
		const slot = this.ring[(this.turn ^= 1)];
		slot.physics.set(this.coherent('physics'));
		slot.graphics.set(this.coherent('graphics'));
		return this.snapshot(slot.physicsView, slot.graphicsView);
	}

	private snapshot(physics: Physics, graphics: Graphics): Snapshot {
		const now = this.now();
		if (physics.packetId !== this.lastPacket) {
			this.lastPacket = physics.packetId;
			this.lastPacketAt = now;
		}
		if (graphics.packetId !== this.lastGraphicsPacket) {
			this.lastGraphicsPacket = graphics.packetId;
			this.lastGraphicsAt = now;
		}
		const staleMs = now - Math.min(this.lastPacketAt, this.lastGraphicsAt);
		return {
			physics,
			graphics,
			static: this.staticPage,
			stale: staleMs > STALE_AFTER_MS,
			staleMs,
			tornRetries: this.tornRetries,
			tornFallbacks: this.tornFallbacks
		};
	}

	close(): void {
		if (this.pages) for (const page of Object.values(this.pages)) page.close();
		this.pages = undefined;
	}
}
