/** The /login throttle on a manual clock: failures per address per window, Retry-After, bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LoginThrottle, throttleKey } from '../../../src/lib/server/login-throttle.ts';
import { ManualClock } from '../../../src/lib/server/runtime/clock.ts';

describe('LoginThrottle', () => {
	it('allows 5 failures a minute, then says how long to wait', () => {
		const clock = new ManualClock();
		const throttle = new LoginThrottle({ clock });
		for (let i = 0; i < 5; i++) {
			assert.equal(throttle.retryAfterSec('10.0.0.1'), 0, `attempt ${i + 1}`);
			throttle.failed('10.0.0.1');
			clock.advance(1000);
		}
		// The first failure was 5 s ago: it leaves the window in 55 s.
		assert.equal(throttle.retryAfterSec('10.0.0.1'), 55);
		assert.equal(throttle.retryAfterSec('10.0.0.2'), 0, 'other addresses are not affected');
		clock.advance(54_500);
		assert.equal(throttle.retryAfterSec('10.0.0.1'), 1, 'rounded up');
		clock.advance(500);
		assert.equal(throttle.retryAfterSec('10.0.0.1'), 0, 'one more try once the oldest failure is a minute old');
		throttle.failed('10.0.0.1');
		assert.equal(throttle.retryAfterSec('10.0.0.1'), 1, 'the next oldest leaves a second later');
	});

	it('forgets an address that signs in', () => {
		const clock = new ManualClock();
		const throttle = new LoginThrottle({ clock, maxFailures: 2 });
		throttle.failed('a');
		throttle.succeeded('a');
		throttle.failed('a');
		assert.equal(throttle.retryAfterSec('a'), 0);
		throttle.failed('a');
		assert.equal(throttle.retryAfterSec('a'), 60);
	});

	it('tracks a bounded number of addresses, dropping expired ones first, then the stalest', () => {
		const clock = new ManualClock();
		const throttle = new LoginThrottle({ clock, maxFailures: 1, maxAddresses: 3 });
		for (const address of ['a', 'b', 'c']) throttle.failed(address);
		clock.advance(61_000);
		throttle.failed('d');
		assert.equal(throttle.size, 1, 'the expired ones went');
		throttle.failed('e');
		clock.advance(1000);
		throttle.failed('f');
		throttle.failed('d'); // d failed again: now the most recent
		throttle.failed('g');
		assert.equal(throttle.size, 3);
		assert.equal(throttle.retryAfterSec('e'), 0, 'the stalest was dropped');
		assert.ok(throttle.retryAfterSec('d') > 0 && throttle.retryAfterSec('f') > 0 && throttle.retryAfterSec('g') > 0);
		for (let i = 0; i < 1000; i++) throttle.failed(`x${i}`);
		assert.equal(throttle.size, 3);
	});

	it('keys IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
		assert.equal(throttleKey('2001:db8:1:2:aaaa::1'), throttleKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
		assert.notEqual(throttleKey('2001:db8:1:2::1'), throttleKey('2001:db8:1:3::1'));
		assert.equal(throttleKey('2001:db8::1'), '2001:db8:0:0::/64');
		assert.equal(throttleKey('::ffff:192.0.2.7'), '192.0.2.7');
		assert.equal(throttleKey('192.0.2.7'), '192.0.2.7');
		assert.equal(throttleKey('::1'), '0:0:0:0::/64');
	});
});
