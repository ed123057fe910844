/** Token checks in constant time (hashing first makes the comparison length-independent). */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
	return createHash('sha256').update(value, 'utf8').digest();
}

/** True when no token is configured, or when `given` equals it. */
export function tokenMatches(expected: string | undefined, given: string | undefined | null): boolean {
	if (expected === undefined) return true;
	if (typeof given !== 'string') return false;
	return timingSafeEqual(digest(expected), digest(given));
}

/** The token in `Authorization: Bearer <token>`, if any. */
export function bearerToken(header: string | undefined): string | undefined {
	const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
	return match?.[1];
}
