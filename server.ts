/**
 * Production entry: `tsx server.ts [--host H] [--port P] [--actor-token T] [--console-token T]`.
 * Serves the built SvelteKit app (build/handler.js) and the WebSocket routes on one port.
 */
import type { RequestListener } from 'node:http';
import { parseServerConfig } from './src/lib/server/config.ts';
import { startServer } from './src/lib/server/http-server.ts';
import { getRuntime } from './src/lib/server/runtime/index.ts';

const HANDLER_PATH = './build/handler.js';

async function main(): Promise<void> {
	const config = parseServerConfig(process.argv.slice(2), process.env);
	const runtime = getRuntime(config);
	const { handler } = (await import(HANDLER_PATH)) as { handler: RequestListener };
	const server = await startServer(runtime, handler);
	console.log(`pitwall ${runtime.runId} listening on ${server.url}`);

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`${signal}: shutting down`);
		await server.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error(`pitwall: ${(error as Error).message ?? error}`);
	process.exit(1);
});
