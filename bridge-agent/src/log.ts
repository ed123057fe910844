/**
 * Structured logs to stderr (stdout stays free for command output): readable lines, or JSON lines
 * in the learner's (pino's) shape — `{"level":30,"time":<ms>,"name":…,"msg":…, …fields}` — so one
 * collector reads both. The agent keeps this tiny writer instead of pino: one bundled file, no workers.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
/** pino's numeric levels. */
export const LEVEL_NUMBER: Record<Level, number> = { debug: 20, info: 30, warn: 40, error: 50 };

export interface Logger {
	debug(message: string, fields?: Record<string, unknown>): void;
	info(message: string, fields?: Record<string, unknown>): void;
	warn(message: string, fields?: Record<string, unknown>): void;
	error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON log line (without the newline). */
export function jsonLine(level: Level, name: string, message: string, fields: Record<string, unknown>, time = Date.now()): string {
	return JSON.stringify({ level: LEVEL_NUMBER[level], time, name, msg: message, ...fields });
}

export function createLogger(
	options: { level: Level; json: boolean; name: string },
	write: (line: string) => void = (line) => process.stderr.write(line)
): Logger {
	const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
		if (LEVEL_NUMBER[level] < LEVEL_NUMBER[options.level]) return;
		if (options.json) {
			write(jsonLine(level, options.name, message, fields) + '\n');
		} else {
			const extra = Object.entries(fields)
				.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
				.join(' ');
			write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${options.name}] ${message}${extra ? ' ' + extra : ''}\n`);
		}
	};
	return {
		debug: (m, f) => log('debug', m, f),
		info: (m, f) => log('info', m, f),
		warn: (m, f) => log('warn', m, f),
		error: (m, f) => log('error', m, f)
	};
}
