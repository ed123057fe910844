/** Structured logs: levels, text or JSON lines, to stderr (stdout stays free for command output). */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
	debug(message: string, fields?: Record<string, unknown>): void;
	info(message: string, fields?: Record<string, unknown>): void;
	warn(message: string, fields?: Record<string, unknown>): void;
	error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(options: { level: Level; json: boolean; name: string }): Logger {
	const write = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
		if (ORDER[level] < ORDER[options.level]) return;
		const time = new Date().toISOString();
		if (options.json) {
			process.stderr.write(JSON.stringify({ time, level, name: options.name, message, ...fields }) + '\n');
		} else {
			const extra = Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
			process.stderr.write(`${time} ${level.toUpperCase().padEnd(5)} [${options.name}] ${message}${extra ? ' ' + extra : ''}\n`);
		}
	};
	return {
		debug: (m, f) => write('debug', m, f),
		info: (m, f) => write('info', m, f),
		warn: (m, f) => write('warn', m, f),
		error: (m, f) => write('error', m, f)
	};
}
