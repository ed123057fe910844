/**
 * Console sign-ins: /login trades the console token for a random session id (the cookie), kept
 * here server-side until it expires. The cookie never holds the token, so a leaked cookie is
 * one revocable week, not the token. The store is bounded (the oldest session goes first) and
 * lives in a globalThis slot: SvelteKit's module graph (hooks, /login) and the upgrade router's
 * share it. Sessions end with the process.
 */
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from './runtime/clock.ts';

export const SESSION_COOKIE = 'pitwall_session';
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export interface SessionOptions {
	ttlMs?: number;
	maxSessions?: number;
	clock?: Clock;
}

/** Ids are looked up by their hash: the map's timing says nothing about a valid id. */
function key(id: string): string {
	return createHash('sha256').update(id, 'utf8').digest('hex');
}

export class SessionStore {
	private readonly ttlMs: number;
	private readonly maxSessions: number;
	private readonly clock: Clock;
	/** Hash of the id → expiry; in creation order, which (one TTL for all) is expiry order. */
	private readonly expiries = new Map<string, number>();

	constructor(options: SessionOptions = {}) {
		this.ttlMs = options.ttlMs ?? SESSION_TTL_MS;
		this.maxSessions = options.maxSessions ?? MAX_SESSIONS;
		this.clock = options.clock ?? systemClock;
	}

	get size(): number {
		return this.expiries.size;
	}

	/** A new session: its id (256 random bits) and the cookie's Max-Age. */
	create(): { id: string; maxAgeSec: number } {
		this.sweep();
		while (this.expiries.size >= this.maxSessions) this.expiries.delete(this.expiries.keys().next().value as string);
		const id = randomBytes(32).toString('base64url');
		this.expiries.set(key(id), this.clock.now() + this.ttlMs);
		return { id, maxAgeSec: Math.floor(this.ttlMs / 1000) };
	}

	valid(id: string | undefined): boolean {
		if (!id) return false;
		const expiry = this.expiries.get(key(id));
		return expiry !== undefined && expiry > this.clock.now();
	}

	revoke(id: string | undefined): void {
		if (id) this.expiries.delete(key(id));
	}

	private sweep(): void {
		const now = this.clock.now();
		for (const [k, expiry] of this.expiries) {
			if (expiry > now) break;
			this.expiries.delete(k);
		}
	}
}

const SLOT = Symbol.for('pitwall.sessions');
type Slot = { [SLOT]?: SessionStore };

/** The process's session store. */
export function sessions(): SessionStore {
	const slot = globalThis as Slot;
	slot[SLOT] ??= new SessionStore();
	return slot[SLOT];
}
