/** Real servers on port 0 and real WebSocket clients for integration tests. */
import WebSocket from 'ws';
import { Decoder, type Message } from '../../src/lib/protocol/index.ts';
import { parseServerConfig, type ServerConfig } from '../../src/lib/server/config.ts';
import { startServer, type RunningServer } from '../../src/lib/server/http-server.ts';
import { Runtime } from '../../src/lib/server/runtime/index.ts';

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<{ server: RunningServer; runtime: Runtime }> {
	const config = { ...parseServerConfig(['--port', '0'], {}), ...overrides };
	const runtime = new Runtime(config);
	const server = await startServer(runtime);
	return { server, runtime };
}

/** A client that queues decoded messages and remembers how the socket closed. */
export class TestClient {
	readonly socket: WebSocket;
	readonly opened: Promise<void>;
	readonly closed: Promise<{ code: number; reason: string }>;
	/** Text frames received (console JSON). */
	readonly texts: string[] = [];
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

	close(): void {
		this.socket.close();
	}
}

export function wsUrl(server: RunningServer, path: string): string {
	return server.url.replace(/^http/, 'ws') + path;
}
