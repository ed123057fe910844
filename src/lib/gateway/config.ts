/**
 * The gateway's settings (`pitwall gateway --help`): where it listens, which run it serves, the
 * bus, and the same actor-facing limits as the learner (picked from the learner's option set, so
 * an actor meets the same rules at either).
 */
import { hostname } from 'node:os';
import { parseFlags, type Env } from '../options/argv.ts';
import { OptionsError, bool, choice, defineOptions, helpText, int, str, type OptionValues } from '../options/index.ts';
import { LIMIT_OPTIONS, type Limits } from '../protocol/index.ts';
import { BUS_OPTIONS, busOptions } from '../bus/options.ts';
import type { BusOptions } from '../bus/connection.ts';
import { runIdProblem } from '../bus/names.ts';
import { DEFAULT_HOST, LEARNER_OPTIONS, isLoopback } from '../server/config.ts';
import { LOG_FORMATS, LOG_LEVELS } from '../server/log.ts';

export const DEFAULT_GATEWAY_PORT = 3100;

export const GATEWAY_OPTIONS = defineOptions(
	{
		host: str('bind address', DEFAULT_HOST, { env: 'HOST' }),
		port: int('port of the actor WebSocket, /ws/actor (0 = any free port)', DEFAULT_GATEWAY_PORT, { min: 0, max: 65535, env: 'PORT' }),
		runId: str("the run whose actors this gateway serves (the learner's --run-id)", undefined, { flag: 'run', env: 'PITWALL_RUN_ID' }),
		actorToken: str('required from actors (upgrade `Authorization: Bearer`, and HANDSHAKE); printed at start', undefined, {
			env: 'PITWALL_ACTOR_TOKEN',
			defaultDoc: 'generated at start'
		}),
		name: str("this gateway's name on the bus and in the console", () => `${hostname()}-${process.pid}`, { defaultDoc: 'host-pid' }),
		maxQueuedBatches: int("an actor's batches waiting for the bus to store them; beyond this it is refused (it keeps them and reconnects)", 256),
		insecure: bool('allow a non-loopback bind without --actor-token'),
		logLevel: choice('log level', LOG_LEVELS, 'info'),
		logFormat: choice('log lines: json, pretty, or auto (pretty on a terminal, JSON otherwise)', LOG_FORMATS, 'auto')
	},
	{ title: 'Gateway', noun: 'gateway option', envPrefix: 'PITWALL_GATEWAY_' }
);

const ACTOR_KEYS = [
	'maxActors',
	'handshakeTimeoutMs',
	'maxPendingHandshakes',
	'heartbeatIntervalMs',
	'actorTimeoutMs',
	'telemetryHz',
	'maxTelemetryPerSec',
	'maxEpisodesPerSec',
	'maxPingsPerSec',
	'maxMessagesPerSec',
	'weightsMaxBufferedBytes'
] as const;
type ActorKey = (typeof ACTOR_KEYS)[number];

export const GATEWAY_ACTOR_OPTIONS = defineOptions(
	Object.fromEntries(ACTOR_KEYS.map((key) => [key, LEARNER_OPTIONS.options[key]])) as Pick<typeof LEARNER_OPTIONS.options, ActorKey>,
	{ title: 'Actor connections (as on the learner)', noun: 'gateway option', envPrefix: 'PITWALL_' }
);

export const GATEWAY_SETS = [GATEWAY_OPTIONS, GATEWAY_ACTOR_OPTIONS, BUS_OPTIONS, LIMIT_OPTIONS] as const;

export type GatewayConfig = Omit<OptionValues<typeof GATEWAY_OPTIONS.options>, 'runId'> & {
	runId: string;
	limits: Limits;
	learner: OptionValues<typeof GATEWAY_ACTOR_OPTIONS.options>;
	bus: BusOptions;
	publicOrigin: undefined;
	consoleToken: undefined;
};

export const GATEWAY_USAGE =
	'Usage: pitwall gateway --bus nats://HOST:4222 --run RUN_ID [options]\n' +
	'Terminates actor WebSockets like the learner and puts their batches on the bus (docs/scale-out.md); flags win over env, env over defaults.';

export function gatewayHelp(): string {
	return helpText(GATEWAY_USAGE, GATEWAY_SETS);
}

export function parseGatewayArgs(argv: readonly string[], env: Env): { help: true } | { help: false; config: GatewayConfig } {
	const parsed = parseFlags(argv, env, GATEWAY_SETS);
	if (parsed.help) return parsed;
	const [gateway, learner, busFlags, limits] = parsed.values;
	const bus = busOptions(busFlags, `pitwall-gateway ${gateway.name}`);
	if (!bus) throw new OptionsError('--bus is required: the NATS JetStream servers, e.g. --bus nats://127.0.0.1:4222');
	if (!gateway.runId) throw new OptionsError("--run is required: the run this gateway serves (the learner's --run-id)");
	const runProblem = runIdProblem(gateway.runId);
	if (runProblem) throw new OptionsError(runProblem);
	if (!isLoopback(gateway.host) && !gateway.insecure && !gateway.actorToken) {
		throw new OptionsError(`refusing to bind ${gateway.host} without PITWALL_ACTOR_TOKEN; set it, or pass --insecure`);
	}
	const { runId } = gateway;
	return { help: false, config: { ...gateway, runId, limits, learner, bus, publicOrigin: undefined, consoleToken: undefined } };
}
