/** A small flag parser: declared options with defaults and help, --name value or --name=value. */
export interface OptionSpec {
	name: string;
	help: string;
	default?: string;
	/** A switch without a value. */
	flag?: boolean;
	choices?: readonly string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Record<string, string> {
	const values: Record<string, string> = {};
	for (const spec of specs) if (spec.default !== undefined) values[spec.name] = spec.default;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
		const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
		const spec = specs.find((s) => s.name === name);
		if (!spec) throw new UsageError(`unknown option --${name}`);
		if (spec.flag) {
			values[name] = 'true';
			continue;
		}
		const value = inline ?? argv[++i];
		if (value === undefined) throw new UsageError(`--${name} needs a value`);
		if (spec.choices && !spec.choices.includes(value)) throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, got "${value}"`);
		values[name] = value;
	}
	return values;
}

export function helpText(usage: string, specs: readonly OptionSpec[]): string {
	const width = Math.max(...specs.map((s) => s.name.length)) + 4;
	const lines = specs.map((s) => {
		const extra = [s.choices ? `one of ${s.choices.join('|')}` : '', s.default !== undefined ? `default ${s.default || '""'}` : ''].filter(Boolean).join('; ');
		return `  --${s.name.padEnd(width)}${s.help}${extra ? ` (${extra})` : ''}`;
	});
	return `${usage}\n\nOptions:\n${lines.join('\n')}\n`;
}

export function number(values: Record<string, string>, name: string, min: number, max = Infinity): number {
	const value = Number(values[name]);
	if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${values[name]}"`);
	return value;
}
