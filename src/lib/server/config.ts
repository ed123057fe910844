/**
 * Server settings from flags and environment: flags win over env, env over defaults.
 * Binding a non-loopback address without both tokens is refused unless --insecure is given.
 */
import { resolveLimits, type Limits } from '../protocol/index.ts';

export interface ServerConfig {
	host: string;
	port: number;
	/** Required from actors in HANDSHAKE and at upgrade (Authorization: Bearer) when set. */
	actorToken: string | undefined;
	/** Required from browsers (cookie) and API clients when set. */
	consoleToken: string | undefined;
	insecure: boolean;
	limits: Limits;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 3000;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

export function isLoopback(host: string): boolean {
	return LOOPBACK.test(host);
}

/** Reads `--name value` or `--name=value`; returns undefined when absent. */
function flag(argv: readonly string[], name: string): string | undefined {
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
		limits: resolveLimits()
	};
	if (!isLoopback(host) && !config.insecure && (!config.actorToken || !config.consoleToken)) {
		throw new Error(
			`refusing to bind ${host} without PITWALL_ACTOR_TOKEN and PITWALL_CONSOLE_TOKEN; set both, or pass --insecure`
		);
	}
	return config;
}
