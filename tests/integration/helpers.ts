/** Real servers on port 0 and real WebSocket clients for integration tests. */
import WebSocket from 'ws';
import { Decoder, type Message } from '../../src/lib/protocol/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerConfig, type LearnerOptions, type ServerConfig } from '../../src/lib/server/config.ts';
import { startServer, type RunningServer } from '../../src/lib/server/http-server.ts';
import { silentLog } from '../../src/lib/server/log.ts';
import { Runtime } from '../../src/lib/server/runtime/index.ts';

/** A learner on port 0 with its runs in a fresh temporary directory. */
export async function startTestServer(
	overrides: Partial<ServerConfig> = {},
	learner: Partial<LearnerOptions> = {}
): Promise<{ server: RunningServer; runtime: Runtime; runsDir: string }> {
	const base = parseServerConfig(['--port', '0'], {});
	const runsDir = learner.runsDir ?? mkdtempSync(join(tmpdir(), 'pitwall-runs-'));
	const config = { ...base, ...overrides, learner: { ...base.learner, backends: ['wasm', 'cpu'], ...learner, runsDir } };
	const runtime = new Runtime(config, { log: silentLog });
	const server = await startServer(runtime);
	return { server, runtime, runsDir };
}

/** A client that queues decoded messages and remembers how the socket closed. */
export class TestClient {
	readonly socket: WebSocket;
	readonly opened: Promise<void>;
	readonly closed: Promise<{ code: number; reason: string }>;
	/** Text frames received (console JSON). */
	readonly texts: string[] = [];
	/** Sees every message first; returning true swallows it. */
	onMessage: ((message: Message) => boolean) | undefined;
	private readonly queue: Message[] = [];
	private waiters: ((message: Message) => void)[] = [];
	private readonly decoder = new Decoder();

	constructor(url: string, headers: Record<string, string> = {}) {
		this.socket = new WebSocket(url, { headers });
		this.opened = new Promise((resolve, reject) => {
			this.socket.once('open', () => resolve());
			this.socket.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
			this.socket.once('error', reject);
		});
		this.closed = new Promise((resolve) => this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
		this.socket.on('message', (data: Buffer, isBinary: boolean) => {
			if (!isBinary) {
				this.texts.push(data.toString());
				return;
			}
			const message = this.decoder.decode(new Uint8Array(data));
			if (this.onMessage?.(message)) return;
			const waiter = this.waiters.shift();
			if (waiter) waiter(message);
			else this.queue.push(message);
		});
	}

	send(frame: Uint8Array | string): void {
		this.socket.send(frame);
	}

	next(timeoutMs = 2000): Promise<Message> {
		const queued = this.queue.shift();
		if (queued) return Promise.resolve(queued);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
			this.waiters.push((message) => {
				clearTimeout(timer);
				resolve(message);
			});
		});
	}

	/** The next message of `type`, skipping others (heartbeats, weights, …). */
	async expect<T extends Message['type']>(type: T, timeoutMs = 5000): Promise<Extract<Message, { type: T }>> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const message = await this.next(Math.max(1, deadline - Date.now()));
			if (message.type === type) return message as Extract<Message, { type: T }>;
		}
	}

	close(): void {
		this.socket.close();
	}
}

/**
 * Resolves once `check()` holds, polling every `pollMs`; rejects naming `what` after a generous
 * `timeoutMs`. Wait on the condition, never sleep a fixed time and then assert.
 */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000, pollMs = 10): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, pollMs));
	}
}

export function wsUrl(server: RunningServer, path: string): string {
	return server.url.replace(/^http/, 'ws') + path;
}
