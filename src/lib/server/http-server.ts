/**
 * The learner's HTTP server: one port for pages (SvelteKit's handler) and WebSockets (the upgrade
 * router). Used by server.ts in production and by integration tests, which pass their own handler.
 */
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '../protocol/index.ts';
import type { Runtime } from './runtime/index.ts';
import { learnerUpgradeRouter } from './ws/learner-router.ts';

export interface RunningServer {
	url: string;
	port: number;
	close(): Promise<void>;
}

const notFound: RequestListener = (_req, res) => {
	res.statusCode = 404;
	res.end();
};

export async function startServer(runtime: Runtime, handler: RequestListener = notFound): Promise<RunningServer> {
	const server = http.createServer(handler);
	const router = learnerUpgradeRouter(runtime, false);
	server.on('upgrade', router.handle);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(runtime.config.port, runtime.config.host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const host = runtime.config.host.includes(':') ? `[${runtime.config.host}]` : runtime.config.host;
	return {
		url: `http://${host}:${port}`,
		port,
		/** Graceful stop: no new actors, checkpoint saved, sockets closed with 1001, trainer stopped. */
		close: async () => {
			try {
				await runtime.shutdown();
			} finally {
				// server.close() waits for open sockets: say goodbye to WebSocket clients first.
				router.closeAll(CloseCode.GOING_AWAY, 'server shutting down');
			}
			server.closeIdleConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		}
	};
}
