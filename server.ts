/**
 * Production entry: `node build/server.js [--host H] [--port P] [--sim-actors N] [--track T] [flags]`
 * (built by `npm run build`; `tsx server.ts` runs the same from source). Serves the built
 * SvelteKit app (build/handler.js) and the WebSocket routes on one port, and starts N simulated
 * actors (default 2; 0 for none) as real bridge-agent processes.
 * Flags: `--help`, docs/operations.md. Exit codes: 0 done, 1 failure, 2 usage.
 * `node build/server.js gateway --bus nats://… --run ID` runs a gateway (src/lib/gateway, docs/scale-out.md).
 */
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { OptionsError } from './src/lib/options/index.ts';
import { parseServerArgs, serverHelp } from './src/lib/server/config.ts';
import { startServer } from './src/lib/server/http-server.ts';
import { createLog } from './src/lib/server/log.ts';
import { getRuntime } from './src/lib/server/runtime/index.ts';
import { simReward, simStepsPerPolicy, spawnSimActors } from './src/lib/server/sim-actors.ts';
import { runGateway } from './src/lib/gateway/main.ts';
import { openBus } from './src/lib/bus/connection.ts';

/** The SvelteKit handler: beside this file when it runs bundled (build/server.js), under build/ from the source. */
const HANDLER_URL = new URL(import.meta.url.endsWith('/build/server.js') ? './handler.js' : './build/handler.js', import.meta.url);
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
	const log = createLog({ level: config.logLevel, format: config.logFormat });
	// Actors always authenticate: without a configured token, this run gets a fresh one.
	config.actorToken ??= randomBytes(16).toString('hex');
	const runtime = getRuntime(config, { log });
	// Signals are handled from here on: a SIGTERM that lands as the server starts still shuts it down cleanly.
	const running: { server?: Awaited<ReturnType<typeof startServer>>; actors?: ReturnType<typeof spawnSimActors> } = {};
	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, `${signal}: shutting down (saving a checkpoint)`);
		await running.actors?.stop();
		await (running.server ? running.server.close() : runtime.shutdown());
		log.info('stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
	// SvelteKit's own form check (/login) needs the public origin too when behind TLS.
	if (config.publicOrigin && !process.env.ORIGIN) process.env.ORIGIN = config.publicOrigin;
	const ownProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
	if (ownProtocol) process.env.PROTOCOL_HEADER = OWN_PROTOCOL_HEADER;
	const { handler } = (await import(HANDLER_URL.href)) as { handler: RequestListener };
	const listener: RequestListener = ownProtocol
		? (req, res) => {
				req.headers[OWN_PROTOCOL_HEADER] = 'http'; // overwrites anything a client sent
				handler(req, res);
			}
		: handler;
	const server = (running.server = await startServer(runtime, listener));
	if (stopping) return; // a signal came while starting: no actors now
	log.info({ url: server.url, runId: runtime.runId, runDir: runtime.run.dir }, `pitwall ${runtime.runId} listening on ${server.url}`);
	log.info(`actor token: ${config.actorToken}`);
	if (config.bus) {
		log.info({ servers: config.bus.servers }, 'connecting to the bus');
		await runtime.attachBus(await openBus(config.bus));
	}
	const simLog = log.child({ service: 'sim-actors' });
	const actors = (running.actors =
		simActors > 0
			? spawnSimActors({
					count: simActors,
					learnerUrl: `${server.url.replace(/^http/, 'ws')}/ws/actor`,
					token: config.actorToken,
					stepsPerPolicy: simStepsPerPolicy(config.learner, simActors),
					track: config.simTrack,
					reward: simReward(config.learner.algo),
					log: (line) => simLog.warn(line)
				})
			: undefined);
	if (actors) log.info({ simActors, track: config.simTrack }, `${simActors} simulated actors driving; open ${server.url} to watch`);
}

// `pitwall gateway …` runs a gateway instead (docs/scale-out.md).
(process.argv[2] === 'gateway' ? runGateway(process.argv.slice(3)) : main()).catch((error: unknown) => {
	if (error instanceof OptionsError) {
		console.error(`pitwall: ${error.message} (see --help)`);
		process.exit(2);
	}
	console.error(`pitwall: ${(error as Error).message ?? error}`);
	process.exit(1);
});
