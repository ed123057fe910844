/**
 * Production entry: `tsx server.ts [--host H] [--port P] [--sim-actors N] [--track T] [flags]`.
 * Serves the built SvelteKit app (build/handler.js) and the WebSocket routes on one port, and
 * starts N simulated actors (default 2; 0 for none) as real bridge-agent processes.
 * Flags: `tsx server.ts --help`, docs/operations.md. Exit codes: 0 done, 1 failure, 2 usage.
 */
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { OptionsError } from './src/lib/options/index.ts';
import { parseServerArgs, serverHelp } from './src/lib/server/config.ts';
import { startServer } from './src/lib/server/http-server.ts';
import { getRuntime } from './src/lib/server/runtime/index.ts';
import { spawnSimActors } from './src/lib/server/sim-actors.ts';

const HANDLER_PATH = './build/handler.js';
/**
 * adapter-node assumes https when it is told nothing, which breaks same-origin checks (form
 * posts such as /login) on this plain-HTTP server. Unless ORIGIN or PROTOCOL_HEADER is set (as it
 * should be behind a TLS proxy), the request's protocol comes from a header only we set.
 */
const OWN_PROTOCOL_HEADER = 'x-pitwall-protocol';

async function main(): Promise<void> {
	const parsed = parseServerArgs(process.argv.slice(2), process.env);
	if (parsed.help) {
		process.stdout.write(serverHelp());
		process.exit(0);
	}
	const { config } = parsed;
	const { simActors } = config;
	// Actors always authenticate: without a configured token, this run gets a fresh one.
	config.actorToken ??= randomBytes(16).toString('hex');
	const runtime = getRuntime(config);
	const ownProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
	if (ownProtocol) process.env.PROTOCOL_HEADER = OWN_PROTOCOL_HEADER;
	const { handler } = (await import(HANDLER_PATH)) as { handler: RequestListener };
	const listener: RequestListener = ownProtocol
		? (req, res) => {
				req.headers[OWN_PROTOCOL_HEADER] = 'http'; // overwrites anything a client sent
				handler(req, res);
			}
		: handler;
	const server = await startServer(runtime, listener);
	console.log(`pitwall ${runtime.runId} listening on ${server.url}`);
	console.log(`actor token: ${config.actorToken}`);
	console.log(`run directory: ${runtime.run.dir}`);
	const nSteps = runtime.training.snapshot?.config.nSteps ?? config.learner.ppo.nSteps ?? 2048;
	const actors = simActors > 0
		? spawnSimActors({
			count: simActors,
			learnerUrl: `${server.url.replace(/^http/, 'ws')}/ws/actor`,
			token: config.actorToken,
			stepsPerPolicy: Math.ceil(nSteps / simActors),
			track: config.simTrack,
			log: (line) => console.log(line)
		})
		: undefined;
	if (actors) console.log(`${simActors} simulated actors driving; open ${server.url} to watch`);

	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`${signal}: shutting down (saving a checkpoint)`);
		await actors?.stop();
		await server.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
	if (error instanceof OptionsError) {
		console.error(`pitwall: ${error.message} (see --help)`);
		process.exit(2);
	}
	console.error(`pitwall: ${(error as Error).message ?? error}`);
	process.exit(1);
});
