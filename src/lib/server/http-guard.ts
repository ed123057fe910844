/**
 * What a browser may send us, checked for every HTTP request (hooks.server.ts) and upgrade
 * (upgrade-router.ts):
 * - Host must name this server: localhost, 127.0.0.1 or [::1], the bound address, the address
 *   the connection came in on (IP literals cannot be rebound), or the host of --public-origin.
 *   Anything else is a DNS-rebinding page: 403. The port is not checked: a browser always sends
 *   the one it asked for, and it differs from ours only behind a port forward (ssh -L, docker -p,
 *   a TCP proxy), which must keep working; the Origin below is compared with it exactly.
 * - Origin, when required, must equal the origin the page was served from, scheme included:
 *   `http://<Host>` for the local names, or --public-origin.
 */
import type { IncomingMessage } from 'node:http';
import type { ServerConfig } from './config.ts';

export type GuardConfig = Pick<ServerConfig, 'host' | 'publicOrigin'>;

/** How a request reached us: its Host header and, when known, the local address of its socket. */
export interface Arrival {
	host: string | undefined | null;
	localAddress?: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);
/** A host name or IP literal and an optional port: no user info, path or anything else. */
const HOST_SYNTAX = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function arrivalOf(req: IncomingMessage): Arrival {
	return { host: req.headers.host, localAddress: req.socket.localAddress };
}

/** An address as URL.hostname writes it: IPv6 bracketed and compressed, IPv4-mapped as IPv4. */
function hostname(address: string): string | undefined {
	const plain = address.replace(/^\[|\]$/g, '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
	try {
		return new URL(`http://${plain.includes(':') ? `[${plain}]` : plain}`).hostname;
	} catch {
		return undefined;
	}
}

/**
 * The origins a page served for this request may send (the first is the one it was served from),
 * or undefined when the Host is not ours.
 */
export function expectedOrigins(config: GuardConfig, arrival: Arrival): string[] | undefined {
	const { host } = arrival;
	if (!host || !HOST_SYNTAX.test(host)) return undefined;
	const pub = config.publicOrigin ? new URL(config.publicOrigin) : undefined;
	try {
		if (pub && new URL(`${pub.protocol}//${host}`).host === pub.host) return [pub.origin];
		const local = new URL(`http://${host}`);
		const names = new Set(LOOPBACK_NAMES);
		if (!WILDCARD.has(config.host)) names.add(hostname(config.host) ?? '');
		if (arrival.localAddress) names.add(hostname(arrival.localAddress) ?? '');
		if (!names.has(local.hostname)) return undefined;
		return pub ? [local.origin, pub.origin] : [local.origin];
	} catch {
		return undefined;
	}
}

export function originMatches(origin: string, origins: readonly string[]): boolean {
	try {
		return origins.includes(new URL(origin).origin);
	} catch {
		return false; // "null" (sandboxed frames, some redirects) and garbage
	}
}

/**
 * Why a state-changing request must be refused (403), or undefined. A browser always sends
 * Origin with POST/PUT/PATCH/DELETE; without one, only a CLI tool's `Authorization: Bearer` may
 * change state, never a cookie alone.
 */
export function stateChangeRefusal(
	origin: string | undefined | null,
	authorization: string | undefined | null,
	origins: readonly string[]
): string | undefined {
	if (origin) return originMatches(origin, origins) ? undefined : 'origin not allowed';
	return /^Bearer\s/i.test(authorization ?? '') ? undefined : 'origin required (or Authorization: Bearer)';
}
