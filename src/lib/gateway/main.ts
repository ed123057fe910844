/**
 * `pitwall gateway` (node build/server.js gateway …): the gateway process. It connects to the
 * bus, then listens for actors on /ws/actor; GET /status gives its figures as JSON. SIGINT,
 * SIGTERM and SIGHUP stop it: no more actors, sockets closed with 1001 (actors reconnect, to
 * another gateway if they know one), the bus connection drained. Exit codes: 0, 1 failure, 2 usage.
 */
import { randomBytes } from 'node:crypto';
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloseCode } from '../protocol/index.ts';
import { openBus } from '../bus/connection.ts';
import { arrivalOf, expectedOrigins } from '../server/http-guard.ts';
import { createLog } from '../server/log.ts';
import { createUpgradeRouter } from '../server/ws/upgrade-router.ts';
import { gatewayHelp, parseGatewayArgs } from './config.ts';
import { Gateway } from './gateway.ts';

export async function runGateway(argv: readonly string[]): Promise<void> {
	const parsed = parseGatewayArgs(argv, process.env);
	if (parsed.help) {
		process.stdout.write(gatewayHelp());
		process.exit(0);
	}
	const { config } = parsed;
	const log = createLog({ level: config.logLevel, format: config.logFormat }).child({ gateway: config.name });
	config.actorToken ??= randomBytes(16).toString('hex');
	log.info({ servers: config.bus.servers }, 'connecting to the bus');
	const bus = await openBus(config.bus);
	const gateway = new Gateway(config, bus, log);
	await gateway.started;
	const status: RequestListener = (req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const allowed = expectedOrigins(config, arrivalOf(req)) !== undefined;
		res.statusCode = !allowed ? 403 : req.method === 'GET' && url.pathname === '/status' ? 200 : 404;
		if (res.statusCode !== 200) return res.end();
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(gateway.status()));
	};
	const server = http.createServer(status);
	const router = createUpgradeRouter(gateway, { passUnknown: false });
	server.on('upgrade', router.handle);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
	log.info({ url, runId: config.runId }, `pitwall gateway for run ${config.runId} listening on ${url}`);
	log.info(`actor token: ${config.actorToken}`);
	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, `${signal}: gateway shutting down`);
		await gateway.close();
		router.closeAll(CloseCode.GOING_AWAY, 'gateway shutting down');
		server.closeIdleConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
		await bus.close().catch(() => undefined);
		log.info('stopped');
		process.exit(0);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
}
