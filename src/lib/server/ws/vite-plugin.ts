/** Gives `vite dev` and `vite preview` the same WebSocket routes as the production server. */
import type { Plugin } from 'vite';
import { getRuntime } from '../runtime/index.ts';
import { learnerUpgradeRouter } from './learner-router.ts';

const ATTACHED = Symbol.for('pitwall.upgrade-attached');

export function pitwallWebSockets(): Plugin {
	const attach = (httpServer: import('node:http').Server | null | undefined) => {
		if (!httpServer) return;
		const marked = httpServer as unknown as Record<symbol, boolean>;
		if (marked[ATTACHED]) return; // configureServer re-runs on dev-server restarts
		marked[ATTACHED] = true;
		httpServer.on('upgrade', learnerUpgradeRouter(getRuntime(), true).handle);
	};
	return {
		name: 'pitwall-websockets',
		configureServer: (server) => attach(server.httpServer as import('node:http').Server | null),
		configurePreviewServer: (server) => attach(server.httpServer as import('node:http').Server)
	};
}
