/**
 * Alerts for screen readers (src/lib/state/alert-announcer.ts): announced once when raised, once
 * when cleared, never again because the learner rewrote the message ("silent for N s" at 4 Hz)
 * or resent the list after a reconnect.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert } from '../../../src/lib/protocol/index.ts';
import { AlertAnnouncer } from '../../../src/lib/state/alert-announcer.ts';

const silent = (id: number, s: number): Alert => ({ id, kind: 'actor-lost', message: `actor sim-1 silent for ${s} s`, at: 1000, actorId: 'sim-1' });

test('a raised alert is announced once, with its text when raised', () => {
	const announcer = new AlertAnnouncer();
	const first = announcer.update([silent(7, 3)]);
	assert.deepEqual(
		first.raised.map((a) => a.text),
		['actor lost: actor sim-1 silent for 3 s']
	);
	assert.deepEqual(first.cleared, []);
	for (let s = 4; s < 20; s++) assert.deepEqual(announcer.update([silent(7, s)]), { raised: [], cleared: [] });
});

test('a cleared alert is announced once (politely); the same list resent raises nothing', () => {
	const announcer = new AlertAnnouncer();
	announcer.update([silent(1, 3), { id: 2, kind: 'policy-lag', message: 'sim-2 is 3 versions behind', at: 1 }]);
	assert.deepEqual(announcer.update([silent(1, 4), { id: 2, kind: 'policy-lag', message: 'sim-2 is 3 versions behind', at: 1 }]), { raised: [], cleared: [] });
	const after = announcer.update([silent(1, 5)]);
	assert.deepEqual(
		after.cleared.map((a) => a.text),
		['alert cleared: policy lag']
	);
	assert.deepEqual(announcer.update([silent(1, 6)]), { raised: [], cleared: [] });
	// A reconnect: the list goes away (reconnected) and comes back as it was.
	announcer.update([]);
	assert.deepEqual(announcer.update([silent(1, 9)]).raised, []);
});

test('every announcement has its own key (a new live-region node, never an old one rewritten)', () => {
	const announcer = new AlertAnnouncer();
	const a = announcer.update([silent(1, 1)]).raised[0];
	const b = announcer.update([silent(1, 2), silent(2, 1)]).raised[0];
	assert.notEqual(a.key, b.key);
});
