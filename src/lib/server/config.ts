/**
 * The learner's settings, each declared once (src/lib/options): server flags, learner options and
 * protocol limits, from flags, env (`PITWALL_…`, `HOST`, `PORT`) and defaults, in that order.
 * `tsx server.ts --help` and docs/operations.md are generated from these sets. Binding a
 * non-loopback address without both tokens is refused unless --insecure is given.
 */
import { availableParallelism } from 'node:os';
import { parseFlags, type Env } from '../options/argv.ts';
import { OptionsError, bool, choice, custom, defineOptions, helpText, int, json, num, str, strings, type OptionValues } from '../options/index.ts';
import { PPO_OPTIONS } from '../ppo/config.ts';
import { SAC_OPTIONS } from '../sac/config.ts';
import { LIMIT_OPTIONS, type Limits } from '../protocol/index.ts';
// The server starts simulated agents on the agent's own tracks (a pure module).
import { TRACKS } from '../../../bridge-agent/src/driving/track.ts';
import { LOG_FORMATS, LOG_LEVELS } from './log.ts';
import { BUS_OPTIONS, busOptions } from '../bus/options.ts';
import type { BusOptions } from '../bus/connection.ts';
import { runIdProblem } from '../bus/names.ts';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;
const MIB = 1024 * 1024;

export function newRunId(now = new Date()): string {
	return now
		.toISOString()
		.replace(/\.\d+Z$/, '')
		.replace(/[:T]/g, '-');
}

/** `https://host[:port]` (a trailing slash allowed): an origin, no path, query or credentials. */
function isOrigin(x: unknown): x is string | undefined {
	if (x === undefined) return true;
	if (typeof x !== 'string') return false;
	try {
		const url = new URL(x);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === x.replace(/\/$/, '').toLowerCase();
	} catch {
		return false;
	}
}

/**
 * The cores the socket loop and local actors do not need, up to 4: a minibatch of 64 rows split
 * further leaves each thread too little work per round (measured up to 2 threads only, on 2 cores).
 */
export function defaultTrainerThreads(cores = availableParallelism()): number {
	return Math.max(1, Math.min(4, cores - 1));
}

export const SERVER_OPTIONS = defineOptions(
	{
		host: str('bind address', DEFAULT_HOST, { env: 'HOST' }),
		port: int('one port for pages, API and WebSockets (0 = any free port)', DEFAULT_PORT, { min: 0, max: 65535, env: 'PORT' }),
		actorToken: str('required from actors (upgrade `Authorization: Bearer`, and HANDSHAKE); printed at start', undefined, { defaultDoc: 'generated per run' }),
		consoleToken: str('required by `/api/*` and `/ws/console` (Bearer, or the session cookie `/login` sets)', undefined),
		publicOrigin: custom(
			'string',
			'the URL users open (behind a TLS proxy): its host is served, its origin expected from pages (see Security)',
			undefined,
			'an http(s) origin such as https://pitwall.example.com',
			isOrigin
		),
		insecure: bool('allow a non-loopback bind without both tokens'),
		simActors: int('simulated bridge-agent processes started with the server (0 = none; in SAC runs they drive with SAC_DRIVING_REWARD, docs/sac.md)', 2, {
			min: 0
		}),
		simTrack: choice('their track', Object.keys(TRACKS), 'mixed', { flag: 'track' }),
		logLevel: choice('log level', LOG_LEVELS, 'info'),
		logFormat: choice('log lines: json, pretty, or auto (pretty on a terminal, JSON otherwise)', LOG_FORMATS, 'auto')
	},
	{ title: 'Server', noun: 'server option', envPrefix: 'PITWALL_' }
);

export const LEARNER_OPTIONS = defineOptions(
	{
		runsDir: str('where run directories go', 'runs'),
		runId: str("this run's id; an existing run with a checkpoint is resumed", () => newRunId(), { defaultDoc: 'start time' }),
		algo: choice('training algorithm: ppo (on-policy, rollouts) or sac (off-policy, replay buffer; see docs/sac.md)', ['ppo', 'sac'], 'ppo'),
		ppo: json("PPO overrides as JSON (keys below); the first actor's action spec may add its preset for keys left out", PPO_OPTIONS, {
			example: '{"nSteps":4096,"entCoef":0.01}'
		}),
		sac: json("SAC overrides as JSON (keys below); the first actor's action spec may add its preset for keys left out", SAC_OPTIONS, {
			example: '{"utd":1,"bufferSize":300000}'
		}),
		replayCheckpointMb: int('SAC: replay buffer MB a checkpoint may hold (the newest transitions that fit; 0 = none, a resume refills it)', 256, {
			min: 0
		}),
		trainerThreads: int(
			"threads a PPO update's gradients are split over, the trainer worker's own included (SAC: one for now); the rest of the cores stay with the sockets and local actors",
			() => defaultTrainerThreads(),
			{ max: 256, defaultDoc: 'cores − 1, at least 1, at most 4' }
		),
		backends: strings('tfjs backends to try, in order', undefined, {
			flag: 'backend',
			choices: ['tensorflow', 'wasm', 'cpu'],
			defaultDoc: 'tensorflow,wasm,cpu'
		}),
		maxActors: int('more actors are refused (4005)', 64),
		handshakeTimeoutMs: int('an actor connection that sends no HANDSHAKE this long is refused (HANDSHAKE_REQUIRED, 4004), ms', 5000),
		maxPendingHandshakes: int('actor connections that may wait for their HANDSHAKE at once; more are refused at once (TOO_MANY_ACTORS, 4005)', 16),
		heartbeatIntervalMs: int('PING interval to every actor, ms', 1000),
		actorTimeoutMs: int('an actor silent this long is marked lost and closed, ms', 10_000),
		controlChunk: int('actions per CONTROL_BATCH for remote-mode actors (≤ --max-control-chunk)', 10),
		telemetryHz: num('telemetry rate asked of actors for the live view, Hz', 5, { above: 0, max: 1000 }),
		maxTelemetryPerSec: int('telemetry frames per second an actor may send before it is refused (RATE_LIMITED)', 200),
		maxEpisodesPerSec: int('EPISODE_SUMMARY messages per second an actor may send before it is refused (RATE_LIMITED)', 20, { min: 1 }),
		maxPingsPerSec: int(
			'PINGs per second an actor may send before it is refused (RATE_LIMITED; at least twice the heartbeat rate); each one is answered with a PONG',
			10,
			{ min: 1 }
		),
		maxMessagesPerSec: int('frames per second of any type an actor may send before it is refused (RATE_LIMITED)', 2000, { min: 10 }),
		weightsMaxBufferedBytes: int("above this many unsent bytes an actor's weights wait (coalesced) instead of queueing", MIB),
		checkpointEveryUpdates: int('updates (SAC: policy versions) between periodic checkpoints', 10, {
			flag: 'checkpoint-every-updates',
			aliases: ['checkpoint-every']
		}),
		checkpointEverySec: int('seconds between periodic checkpoints, whatever the updates', 300),
		keepCheckpoints: int('numbered checkpoints kept (plus latest and best)', 5),
		maxMetricsMb: int('metrics.jsonl stops growing at this size, MB (an alert says so; points stay in memory)', 1024, { min: 1 }),
		stallAlertMs: int('alert when actors send but no update happened for this long, ms', 120_000)
	},
	{
		title: 'Learner',
		noun: 'learner option',
		envPrefix: 'PITWALL_',
		check: (o) =>
			o.actorTimeoutMs <= o.heartbeatIntervalMs
				? `--actor-timeout-ms (${o.actorTimeoutMs}) must exceed --heartbeat-interval-ms (${o.heartbeatIntervalMs})`
				: undefined
	}
);

/** Every set `server.ts` reads, in --help and docs order. */
export const SERVER_SETS = [SERVER_OPTIONS, LEARNER_OPTIONS, BUS_OPTIONS, LIMIT_OPTIONS] as const;

/** The learner's named options (every size or time a peer can push on has one). */
export type LearnerOptions = OptionValues<typeof LEARNER_OPTIONS.options>;

export type ServerConfig = OptionValues<typeof SERVER_OPTIONS.options> & {
	limits: Limits;
	learner: LearnerOptions;
	/** With --bus: how to reach it (docs/scale-out.md). */
	bus?: BusOptions;
};

export const DEFAULT_LEARNER_OPTIONS: Omit<LearnerOptions, 'runId'> = (({ runId: _, ...rest }) => rest)(LEARNER_OPTIONS.defaults());

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
	return LOOPBACK.test(host);
}

export const SERVER_USAGE =
	'Usage: tsx server.ts [options]\nServes the learner, its console and the actor WebSocket on one port; flags win over env, env over defaults.';

export function serverHelp(): string {
	return helpText(SERVER_USAGE, SERVER_SETS);
}

/**
 * `vite dev`/`vite preview` hand their own argv to a runtime created without a config: a command
 * word first means the argv is not ours, and only env applies.
 */
const VITE_COMMANDS = new Set(['dev', 'serve', 'preview', 'build']);

/**
 * Flags and env → the config, or `help` for -h/--help. Throws OptionsError (exit 2) for an
 * unknown flag (naming the nearest), a bad value, or an unsafe combination.
 */
export function parseServerArgs(argv: readonly string[], env: Env): { help: true } | { help: false; config: ServerConfig } {
	const parsed = parseFlags(VITE_COMMANDS.has(argv[0]) ? [] : argv, env, SERVER_SETS);
	if (parsed.help) return parsed;
	const [server, learner, busFlags, limits] = parsed.values;
	const bus = busOptions(busFlags, `pitwall-learner ${learner.runId}`);
	const config: ServerConfig = { ...server, limits, learner, ...(bus ? { bus } : {}) };
	const problem = combinationProblem(config);
	if (problem) throw new OptionsError(problem);
	return { help: false, config };
}

export function parseServerConfig(argv: readonly string[], env: Env): ServerConfig {
	const parsed = parseServerArgs(argv, env);
	if (parsed.help) throw new OptionsError('--help is for the command line (tsx server.ts --help)');
	return parsed.config;
}

function combinationProblem(c: ServerConfig): string | undefined {
	if (!isLoopback(c.host) && !c.insecure && (!c.actorToken || !c.consoleToken)) {
		return `refusing to bind ${c.host} without PITWALL_ACTOR_TOKEN and PITWALL_CONSOLE_TOKEN; set both, or pass --insecure`;
	}
	if (c.learner.controlChunk > c.limits.maxControlChunk)
		return `--control-chunk (${c.learner.controlChunk}) must not exceed --max-control-chunk (${c.limits.maxControlChunk})`;
	if (c.bus && runIdProblem(c.learner.runId)) return runIdProblem(c.learner.runId);
	if (c.simActors > c.learner.maxActors) return `--sim-actors (${c.simActors}) must not exceed --max-actors (${c.learner.maxActors})`;
	return undefined;
}
