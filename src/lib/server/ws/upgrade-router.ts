/**
 * Routes HTTP upgrades by path: /ws/actor (agents, binary) and /ws/console (browsers, JSON).
 * Host (both paths), Origin (/ws/console, when a browser sends one) and tokens or the session
 * cookie are checked before the upgrade completes (../http-guard.ts). In production unknown
 * paths are refused; in `vite dev` they are left alone for Vite's own HMR socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, tokenMatches } from '../auth.ts';
import { arrivalOf, expectedOrigins, originMatches } from '../http-guard.ts';
import { SESSION_COOKIE, sessions } from '../sessions.ts';
import type { ActorHost } from './actor-host.ts';
import { ActorSession } from './actor-session.ts';

export const ACTOR_PATH = '/ws/actor';
export const CONSOLE_PATH = '/ws/console';
/** Browsers send nothing big; the console socket refuses frames above this. */
const CONSOLE_MAX_PAYLOAD_BYTES = 16 * 1024;

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface UpgradeRouter {
	handle: UpgradeHandler;
	/** Closes every open socket with `code` (1001 on shutdown). */
	closeAll(code: number, reason: string): void;
}

export interface RouterOptions {
	/** Leave unknown paths to other listeners (Vite's HMR) instead of refusing them. */
	passUnknown: boolean;
	/** Serves /ws/console (the learner); without it the path is refused with 404 (a gateway). */
	console?: (ws: WebSocket) => void;
}

function reject(socket: Duplex, status: number, reason: string): void {
	socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const [key, ...rest] = part.trim().split('=');
		if (key !== name) continue;
		try {
			return decodeURIComponent(rest.join('='));
		} catch {
			return undefined; // a malformed escape must not throw out of the upgrade handler
		}
	}
	return undefined;
}

export function createUpgradeRouter(runtime: ActorHost, options: RouterOptions): UpgradeRouter {
	const { config } = runtime;
	const log = runtime.logger('upgrade');
	const refuse = (req: IncomingMessage, socket: Duplex, status: number, reason: string, why = reason) => {
		const fields = { path: req.url, status, address: req.socket.remoteAddress, host: req.headers.host, origin: req.headers.origin };
		runtime.refusals.warn(log, `upgrade ${status}`, fields, `upgrade refused: ${why}`);
		reject(socket, status, reason);
	};
	// Frames up to 2× the protocol limit reach the decoder, which answers with an ERROR; beyond
	// that the transport closes with 1009 without reading them.
	const actorServer = new WebSocketServer({ noServer: true, maxPayload: 2 * config.limits.maxFrameBytes });
	const consoleServer = new WebSocketServer({ noServer: true, maxPayload: CONSOLE_MAX_PAYLOAD_BYTES });

	const handle: UpgradeHandler = (req, socket, head) => {
		const path = new URL(req.url ?? '/', 'http://localhost').pathname;
		const address = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
		const attachConsole = path === CONSOLE_PATH ? options.console : undefined;
		if (path !== ACTOR_PATH && !attachConsole) {
			if (!options.passUnknown) refuse(req, socket, 404, 'Not Found');
			return;
		}
		const origins = expectedOrigins(config, arrivalOf(req));
		if (!origins) return refuse(req, socket, 403, 'Forbidden', 'host not allowed');
		if (path === ACTOR_PATH) {
			if (config.actorToken !== undefined && !tokenMatches(config.actorToken, bearerToken(req.headers.authorization))) {
				return refuse(req, socket, 401, 'Unauthorized');
			}
			actorServer.handleUpgrade(req, socket, head, (ws) => new ActorSession(ws, runtime, address));
		} else if (attachConsole) {
			// No Origin: not a browser (CLI tools, tests); the token still applies.
			const { origin } = req.headers;
			if (origin !== undefined && !originMatches(origin, origins)) return refuse(req, socket, 403, 'Forbidden', 'origin not allowed');
			const signedIn =
				config.consoleToken === undefined ||
				sessions().valid(cookieValue(req.headers.cookie, SESSION_COOKIE)) ||
				tokenMatches(config.consoleToken, bearerToken(req.headers.authorization));
			if (!signedIn) return refuse(req, socket, 401, 'Unauthorized');
			consoleServer.handleUpgrade(req, socket, head, (ws) => attachConsole(ws));
		}
	};

	const closeAll = (code: number, reason: string) => {
		for (const server of [actorServer, consoleServer]) {
			for (const client of server.clients) client.close(code, reason);
		}
	};
	return { handle, closeAll };
}
