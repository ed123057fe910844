/**
 * Failed /login attempts per client address: at most `maxFailures` in any `windowMs` (sliding),
 * then the address waits until its oldest failure leaves the window. Memory is bounded: at most
 * `maxAddresses` addresses, each with at most `maxFailures` timestamps; when full, expired
 * addresses go first, then the one that failed least recently. IPv6 clients count per /64 (one
 * host usually holds the whole prefix).
 */
import { systemClock, type Clock } from './runtime/clock.ts';

export interface ThrottleOptions {
	maxFailures?: number;
	windowMs?: number;
	maxAddresses?: number;
	clock?: Clock;
}

export class LoginThrottle {
	private readonly maxFailures: number;
	private readonly windowMs: number;
	private readonly maxAddresses: number;
	private readonly clock: Clock;
	/** Key → failure times, oldest first; Map order = least recently failed first. */
	private readonly failures = new Map<string, number[]>();

	constructor(options: ThrottleOptions = {}) {
		this.maxFailures = options.maxFailures ?? 5;
		this.windowMs = options.windowMs ?? 60_000;
		this.maxAddresses = options.maxAddresses ?? 10_000;
		this.clock = options.clock ?? systemClock;
	}

	/** Addresses tracked now. */
	get size(): number {
		return this.failures.size;
	}

	/** Whole seconds `address` must wait before its next attempt is checked; 0 = it may try now. */
	retryAfterSec(address: string): number {
		const times = this.recent(throttleKey(address));
		if (times.length < this.maxFailures) return 0;
		const waitMs = times[times.length - this.maxFailures] + this.windowMs - this.clock.now();
		return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
	}

	failed(address: string): void {
		const key = throttleKey(address);
		const times = this.recent(key);
		this.failures.delete(key);
		if (this.failures.size >= this.maxAddresses) this.makeRoom();
		times.push(this.clock.now());
		this.failures.set(key, times.slice(-this.maxFailures));
	}

	succeeded(address: string): void {
		this.failures.delete(throttleKey(address));
	}

	/** The key's failures still inside the window. */
	private recent(key: string): number[] {
		const since = this.clock.now() - this.windowMs;
		return (this.failures.get(key) ?? []).filter((t) => t > since);
	}

	private makeRoom(): void {
		const since = this.clock.now() - this.windowMs;
		for (const [key, times] of this.failures) {
			if (times[times.length - 1] > since) break; // in order of last failure: the rest are newer
			this.failures.delete(key);
		}
		if (this.failures.size >= this.maxAddresses) {
			const stalest = this.failures.keys().next().value;
			if (stalest !== undefined) this.failures.delete(stalest);
		}
	}
}

/** An IPv4 address as is (also when IPv4-mapped), an IPv6 address as its /64 prefix. */
export function throttleKey(address: string): string {
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
	if (mapped) return mapped[1];
	if (!address.includes(':')) return address;
	const [head, tail = ''] = address.toLowerCase().split('%')[0].split('::');
	const left = head ? head.split(':') : [];
	const right = address.includes('::') && tail ? tail.split(':') : [];
	const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
	return `${groups
		.slice(0, 4)
		.map((g) => g.replace(/^0+(?=.)/, ''))
		.join(':')}::/64`;
}
