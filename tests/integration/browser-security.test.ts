/**
 * What a hostile web page can and cannot do to a learner on loopback, through the built
 * SvelteKit handler and the upgrade router on a real server: raw `http.request` and `ws` clients,
 * so Host, Origin and Cookie are exactly what a browser (or an attacker's page) would send.
 */
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders, type RequestListener } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import WebSocket from 'ws';
import { parseServerConfig, type ServerConfig } from '../../src/lib/server/config.ts';
import { startServer, type RunningServer } from '../../src/lib/server/http-server.ts';
import { getRuntime, resetRuntime } from '../../src/lib/server/runtime/index.ts';

const TOKEN = 'console-secret';
const PUBLIC_ORIGIN = 'https://pitwall.example.com';
/** As server.ts does: without ORIGIN, the protocol comes from a header only the server sets. */
const PROTOCOL_HEADER = 'x-pitwall-protocol';

interface Reply {
	status: number;
	headers: IncomingHttpHeaders;
	body: string;
}

let handler: RequestListener;
/** The learner's warnings, as JSON lines. */
const warnings: { service?: string; msg: string; host?: string; origin?: string }[] = [];
const sink = new Writable({
	write(chunk: Buffer, _encoding, done) {
		for (const line of chunk.toString().split('\n').filter(Boolean)) warnings.push(JSON.parse(line));
		done();
	}
});

before(async () => {
	process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
	const built = (await import('../../build/handler.js' as string)) as { handler: RequestListener };
	handler = (req, res) => {
		req.headers[PROTOCOL_HEADER] = 'http';
		built.handler(req, res);
	};
});

async function start(overrides: Partial<ServerConfig>): Promise<RunningServer> {
	const base = parseServerConfig(['--port', '0'], {});
	const runtime = getRuntime(
		{ ...base, ...overrides, learner: { ...base.learner, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-sec-')), backends: ['wasm', 'cpu'] } },
		{ log: pino({ level: 'warn' }, sink) }
	);
	return startServer(runtime, handler);
}

/** One request with exactly these headers (Host included) to the server's loopback port. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> {
	return new Promise((resolve, reject) => {
		const req = http.request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (chunk: string) => (text += chunk));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** 101 when the upgrade succeeds (the socket is closed again), else the refusal's HTTP status. */
function upgrade(port: number, path: string, headers: Record<string, string>): Promise<number> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { host: `127.0.0.1:${port}`, ...headers } });
		ws.once('open', () => {
			ws.close();
			resolve(101);
		});
		ws.once('unexpected-response', (_req, res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		ws.once('error', reject);
	});
}

const form = (token: string) => `token=${encodeURIComponent(token)}`;

describe('default loopback setup (no console token)', () => {
	let server: RunningServer;
	let port: number;
	let own: string;
	before(async () => {
		server = await start({});
		port = server.port;
		own = `http://127.0.0.1:${port}`;
	});
	after(async () => {
		await server.close();
		resetRuntime();
	});

	it('finding 1: refuses a foreign Host header (DNS rebinding) on pages, /api and both sockets', async () => {
		const evil = { host: `evil.example:${port}` };
		assert.equal((await send(port, 'GET', '/api/status', evil)).status, 403);
		assert.equal((await send(port, 'GET', '/', evil)).status, 403);
		assert.equal((await send(port, 'GET', '/login', evil)).status, 403);
		assert.equal(await upgrade(port, '/ws/console', evil), 403);
		assert.equal(await upgrade(port, '/ws/actor', evil), 403);
		// Our names, also on another port (a port forward: ssh -L, docker -p, a TCP proxy).
		for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost:8080', '127.0.0.1']) {
			assert.equal((await send(port, 'GET', '/api/status', { host })).status, 200, host);
		}
		assert.equal(await upgrade(port, '/ws/console', { host: `localhost:${port}`, origin: `http://localhost:${port}` }), 101);
		assert.equal(await upgrade(port, '/ws/console', { host: 'localhost:8080', origin: 'http://localhost:8080' }), 101, 'forwarded');
		assert.equal(await upgrade(port, '/ws/console', { host: 'localhost:8080', origin: `http://localhost:${port}` }), 403, 'not the port asked');
		const refused = (service: string) => warnings.filter((w) => w.service === service && w.host === `evil.example:${port}`).map((w) => w.msg);
		assert.deepStrictEqual(refused('http-guard'), Array(3).fill('request refused: host not allowed'));
		assert.deepStrictEqual(refused('upgrade'), Array(2).fill('upgrade refused: host not allowed'));
		const status = JSON.parse((await send(port, 'GET', '/api/status', {})).body) as { refusals: Record<string, number> };
		assert.equal(status.refusals['upgrade 403'], 3, 'every refused upgrade is counted');
	});

	it('finding 2: a cross-site POST without a body does not reach /api/broadcast or /api/checkpoints', async () => {
		for (const path of ['/api/broadcast', '/api/checkpoints']) {
			assert.equal((await send(port, 'POST', path, { origin: 'https://evil.example' })).status, 403, path);
			assert.equal((await send(port, 'POST', path, { origin: 'null' })).status, 403, path);
			// The console's own fetch passes the Origin check (and then hears there is no policy yet).
			assert.equal((await send(port, 'POST', path, { origin: own })).status, 409, path);
		}
		assert.equal((await send(port, 'DELETE', '/api/alerts/1', { origin: 'https://evil.example' })).status, 403);
		assert.equal((await send(port, 'PATCH', '/api/hyperparams', { origin: 'https://evil.example', 'content-type': 'text/plain' }, '{}')).status, 403);
		// No Origin: only a CLI tool's Bearer request gets through.
		assert.equal((await send(port, 'POST', '/api/broadcast', {})).status, 403);
		assert.equal((await send(port, 'POST', '/api/broadcast', { authorization: 'Bearer anything' })).status, 409);
		// Reads need no Origin.
		assert.equal((await send(port, 'GET', '/api/checkpoints', {})).status, 200);
	});

	it('finding 3: an https Origin on the same host:port does not pass the /ws/console check', async () => {
		assert.equal(await upgrade(port, '/ws/console', { origin: `https://127.0.0.1:${port}` }), 403);
		assert.equal(await upgrade(port, '/ws/console', { origin: `http://localhost:${port}` }), 403, 'another host than the one asked');
		assert.equal(await upgrade(port, '/ws/console', { origin: own }), 101);
		assert.equal(await upgrade(port, '/ws/console', {}), 101, 'not a browser: no Origin');
		assert.equal((await send(port, 'POST', '/api/broadcast', { origin: `https://127.0.0.1:${port}` })).status, 403);
	});
});

describe(`with a console token and --public-origin ${PUBLIC_ORIGIN}`, () => {
	let server: RunningServer;
	let port: number;
	let own: string;
	before(async () => {
		server = await start({ consoleToken: TOKEN, publicOrigin: PUBLIC_ORIGIN });
		port = server.port;
		own = `http://127.0.0.1:${port}`;
	});
	after(async () => {
		await server.close();
		resetRuntime();
	});

	/** A browser's form post (Accept: text/html: SvelteKit answers with the page's status, not JSON). */
	const login = (token: string) =>
		send(port, 'POST', '/login', { origin: own, accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, form(token));

	it('serves the public host (behind a TLS proxy) and expects its https Origin', async () => {
		const proxied = { host: 'pitwall.example.com', authorization: `Bearer ${TOKEN}` };
		assert.equal((await send(port, 'GET', '/api/status', proxied)).status, 200);
		assert.equal((await send(port, 'POST', '/api/broadcast', { ...proxied, origin: PUBLIC_ORIGIN })).status, 409);
		assert.equal((await send(port, 'POST', '/api/broadcast', { ...proxied, origin: 'http://pitwall.example.com' })).status, 403);
		assert.equal(await upgrade(port, '/ws/console', { ...proxied, origin: PUBLIC_ORIGIN }), 101);
		assert.equal(await upgrade(port, '/ws/console', { ...proxied, origin: 'http://pitwall.example.com' }), 403);
		assert.equal((await send(port, 'GET', '/api/status', { host: 'evil.example', authorization: `Bearer ${TOKEN}` })).status, 403);
	});

	it('finding 5: the session cookie is not the token, and the token is not a session', async () => {
		const reply = await login(TOKEN);
		assert.equal(reply.status, 303);
		const setCookie = (reply.headers['set-cookie'] ?? []).find((c) => c.startsWith('pitwall_session='));
		assert.ok(setCookie, `a session cookie in ${JSON.stringify(reply.headers['set-cookie'])}`);
		const session = setCookie.split(';')[0];
		const value = session.slice(session.indexOf('=') + 1);
		assert.ok(!value.includes(TOKEN) && value.length >= 32, 'a random id, not the token');
		assert.match(setCookie, /; HttpOnly/i);
		assert.match(setCookie, /; SameSite=Strict/i);
		assert.match(setCookie, /; Path=\//i);
		assert.match(setCookie, /; Secure/i, 'the public origin is https');
		assert.match(setCookie, /; Max-Age=604800/i, 'a week');

		assert.equal((await send(port, 'GET', '/api/status', { cookie: session })).status, 200);
		assert.equal(await upgrade(port, '/ws/console', { cookie: session, origin: own }), 101);
		for (const cookie of [`pitwall_session=${TOKEN}`, `pitwall_console=${TOKEN}`, 'pitwall_session=forged', 'pitwall_session=%E0']) {
			assert.equal((await send(port, 'GET', '/api/status', { cookie })).status, 401, cookie);
			assert.equal(await upgrade(port, '/ws/console', { cookie, origin: own }), 401, cookie);
		}
		// Bearer keeps working for CLI tools, Origin or not.
		assert.equal((await send(port, 'GET', '/api/status', { authorization: `Bearer ${TOKEN}` })).status, 200);
		assert.equal((await send(port, 'POST', '/api/broadcast', { authorization: `Bearer ${TOKEN}` })).status, 409);
		assert.equal((await send(port, 'POST', '/api/broadcast', { authorization: 'Bearer wrong' })).status, 401);
		// A cookie alone does not change state without the page's Origin.
		assert.equal((await send(port, 'POST', '/api/broadcast', { cookie: session })).status, 403);
		assert.equal((await send(port, 'POST', '/api/broadcast', { cookie: session, origin: 'https://evil.example' })).status, 403);
		assert.equal((await send(port, 'POST', '/api/broadcast', { cookie: session, origin: own })).status, 409);
	});

	it('finding 4: /login allows 5 wrong tokens a minute, then answers 429 with Retry-After', async () => {
		for (let i = 0; i < 5; i++) assert.equal((await login(`guess-${i}`)).status, 401, `attempt ${i + 1}`);
		const blocked = await login('guess-5');
		assert.equal(blocked.status, 429);
		const retryAfter = Number(blocked.headers['retry-after']);
		assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${blocked.headers['retry-after']}`);
		const right = await login(TOKEN);
		assert.equal(right.status, 429, 'even the right token waits: the throttle tells nothing');
		assert.equal(right.headers['set-cookie']?.some((c) => c.startsWith('pitwall_session=')) ?? false, false);
	});
});
