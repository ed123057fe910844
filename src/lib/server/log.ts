/**
 * The learner's structured log (pino): JSON lines when stdout is not a terminal (for collectors),
 * readable lines when it is. Every service takes a child of it (`{ service: 'actors' }` …).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type Log = Logger;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function createLog(options: { level?: LogLevel; format?: LogFormat } = {}): Log {
	const level = options.level ?? 'info';
	const format = options.format ?? 'auto';
	const readable = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
	const base = { name: 'pitwall' };
	if (!readable) return pino({ level, base });
	return pino({ level, base }, pretty({ colorize: true, sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
}

/** A log that writes nothing (tests, benchmarks). */
export const silentLog: Log = pino({ level: 'silent' });
