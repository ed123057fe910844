/** Console sessions on a manual clock: random ids (never the token), expiry, a bounded store. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../src/lib/server/runtime/clock.ts';
import { SESSION_TTL_MS, SessionStore } from '../../../src/lib/server/sessions.ts';

describe('SessionStore', () => {
	it('issues random ids valid for a week', () => {
		const clock = new ManualClock();
		const store = new SessionStore({ clock });
		const a = store.create();
		const b = store.create();
		assert.notEqual(a.id, b.id);
		assert.match(a.id, /^[\w-]{43}$/, '256 bits, base64url');
		assert.equal(a.maxAgeSec, 7 * 24 * 60 * 60);
		assert.equal(store.valid(a.id), true);
		assert.equal(store.valid('forged'), false);
		assert.equal(store.valid(undefined), false);
		clock.advance(SESSION_TTL_MS - 1);
		assert.equal(store.valid(a.id), true);
		clock.advance(1);
		assert.equal(store.valid(a.id), false, 'expired');
	});

	it('revokes a session, and drops expired then oldest sessions when full', () => {
		const clock = new ManualClock();
		const store = new SessionStore({ clock, ttlMs: 1000, maxSessions: 2 });
		const first = store.create();
		store.revoke(first.id);
		assert.equal(store.valid(first.id), false);
		const old = store.create();
		clock.advance(1000);
		const [x, y] = [store.create(), store.create()];
		assert.equal(store.size, 2, 'the expired one went');
		const z = store.create();
		assert.deepStrictEqual(
			[x, y, z].map((s) => store.valid(s.id)),
			[false, true, true]
		);
		assert.equal(store.valid(old.id), false);
	});
});
