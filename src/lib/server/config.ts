/**
 * Server settings from flags and environment: flags win over env, env over defaults.
 * Binding a non-loopback address without both tokens is refused unless --insecure is given.
 */
import { resolveLimits, type Limits } from '../protocol/index.ts';
import { resolvePpoConfig, type PpoConfig } from '../ppo/config.ts';

export interface ServerConfig {
	host: string;
	port: number;
	/** Required from actors in HANDSHAKE and at upgrade (Authorization: Bearer) when set. */
	actorToken: string | undefined;
	/** Required from browsers (cookie) and API clients when set. */
	consoleToken: string | undefined;
	insecure: boolean;
	limits: Limits;
	learner: LearnerOptions;
}

/** The learner's named options (every size or time a peer can push on has one). */
export interface LearnerOptions {
	/** Where run directories go. */
	runsDir: string;
	/** This run's id; an existing run with a checkpoint is resumed. */
	runId: string;
	/** PPO overrides (validated). */
	ppo: Partial<PpoConfig>;
	/** tfjs backends to try, in order. */
	backends: string[] | undefined;
	maxActors: number;
	heartbeatIntervalMs: number;
	/** An actor silent this long is marked lost and closed. */
	actorTimeoutMs: number;
	/** Actions per CONTROL_BATCH for remote-mode actors. */
	controlChunk: number;
	/** Telemetry rate asked of actors for the live view. */
	telemetryHz: number;
	/** Telemetry frames per second an actor may send before it is refused (RATE_LIMITED). */
	maxTelemetryPerSec: number;
	/** Above this many unsent bytes an actor's weights wait (coalesced) instead of queueing. */
	weightsMaxBufferedBytes: number;
	checkpointEveryUpdates: number;
	checkpointEverySec: number;
	keepCheckpoints: number;
	/** Alert when actors send but no update happened for this long. */
	stallAlertMs: number;
}

/**
 * PPO settings for driving (docs/driving.md): a narrower start (std e^−0.5 ≈ 0.6), a small entropy
 * bonus that keeps exploring past the first corners, and an untrained policy that leans on the
 * throttle rather than the brake (mean action steer 0, throttle 0.5, brake −0.5) so the first
 * minute is spent driving, not standing.
 */
export const DRIVING_PPO: Partial<PpoConfig> = { initLogStd: -0.5, entCoef: 0.005, initActionMean: [0, 0.5, -0.5] };

export const DEFAULT_LEARNER_OPTIONS: Omit<LearnerOptions, 'runId'> = {
	runsDir: 'runs',
	ppo: DRIVING_PPO,
	backends: undefined,
	maxActors: 64,
	heartbeatIntervalMs: 1000,
	actorTimeoutMs: 10_000,
	controlChunk: 10,
	telemetryHz: 5,
	maxTelemetryPerSec: 200,
	weightsMaxBufferedBytes: 1024 * 1024,
	checkpointEveryUpdates: 10,
	checkpointEverySec: 300,
	keepCheckpoints: 5,
	stallAlertMs: 120_000
};

export function newRunId(now = new Date()): string {
	return now.toISOString().replace(/\.\d+Z$/, '').replace(/[:T]/g, '-');
}

function positiveInt(name: string, text: string | undefined, fallback: number): number {
	if (text === undefined) return fallback;
	const value = Number(text);
	if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer, got "${text}"`);
	return value;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
	return LOOPBACK.test(host);
}

/** Reads `--name value` or `--name=value`; returns undefined when absent. */
export function flag(argv: readonly string[], name: string): string | undefined {
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === `--${name}`) {
			const value = argv[i + 1];
			if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
			return value;
		}
		if (argv[i].startsWith(`--${name}=`)) return argv[i].slice(name.length + 3);
	}
	return undefined;
}

export function parseServerConfig(argv: readonly string[], env: Record<string, string | undefined>): ServerConfig {
	const host = flag(argv, 'host') ?? env.HOST ?? DEFAULT_HOST;
	const portText = flag(argv, 'port') ?? env.PORT ?? String(DEFAULT_PORT);
	const port = Number(portText);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0…65535, got "${portText}"`);
	const config: ServerConfig = {
		host,
		port,
		actorToken: flag(argv, 'actor-token') ?? (env.PITWALL_ACTOR_TOKEN || undefined),
		consoleToken: flag(argv, 'console-token') ?? (env.PITWALL_CONSOLE_TOKEN || undefined),
		insecure: argv.includes('--insecure'),
		limits: resolveLimits(),
		learner: parseLearnerOptions(argv, env)
	};
	if (!isLoopback(host) && !config.insecure && (!config.actorToken || !config.consoleToken)) {
		throw new Error(
			`refusing to bind ${host} without PITWALL_ACTOR_TOKEN and PITWALL_CONSOLE_TOKEN; set both, or pass --insecure`
		);
	}
	return config;
}

function parseLearnerOptions(argv: readonly string[], env: Record<string, string | undefined>): LearnerOptions {
	const ppoText = flag(argv, 'ppo') ?? env.PITWALL_PPO;
	let ppo: Partial<PpoConfig> = {};
	if (ppoText) {
		try {
			ppo = JSON.parse(ppoText);
		} catch {
			throw new Error(`--ppo must be JSON, e.g. '{"nSteps":1024}', got ${ppoText}`);
		}
		resolvePpoConfig(ppo); // throws with the reason
	}
	const d = DEFAULT_LEARNER_OPTIONS;
	return {
		...d,
		runsDir: flag(argv, 'runs-dir') ?? env.PITWALL_RUNS_DIR ?? d.runsDir,
		runId: flag(argv, 'run-id') ?? env.PITWALL_RUN_ID ?? newRunId(),
		ppo: { ...DRIVING_PPO, ...ppo },
		backends: (flag(argv, 'backend') ?? env.PITWALL_BACKEND)?.split(','),
		maxActors: positiveInt('max-actors', flag(argv, 'max-actors'), d.maxActors),
		controlChunk: positiveInt('control-chunk', flag(argv, 'control-chunk'), d.controlChunk),
		checkpointEveryUpdates: positiveInt('checkpoint-every', flag(argv, 'checkpoint-every'), d.checkpointEveryUpdates),
		keepCheckpoints: positiveInt('keep-checkpoints', flag(argv, 'keep-checkpoints'), d.keepCheckpoints)
	};
}
