/**
 * Command lines (node only): `node:util` parseArgs in strict mode over the flags of several
 * option sets, env vars as the fallback (flag > env > default), each value checked by its
 * schema. Unknown flags, missing values and bad values throw OptionsError (exit 2) naming the
 * flag or env var, and for an unknown flag the nearest valid one.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { numberText, type Option } from './define.ts';
import { didYouMean } from './nearest.ts';
import { OptionsError, parseJsonText, type OptionSet, type ValuesOf } from './set.ts';

export type Env = Record<string, string | undefined>;
export type FlagValues<S extends readonly OptionSet[]> = { -readonly [I in keyof S]: ValuesOf<S[I]> };

/** Flag or env text → the value its schema checks. */
export function fromText(option: Option, text: string, label: string): unknown {
	if (option.fromText) return option.fromText(text);
	switch (option.kind) {
		case 'number':
			return numberText(text);
		case 'boolean':
			return /^(true|1|yes|on)$/i.test(text) ? true : /^(false|0|no|off)$/i.test(text) ? false : text;
		case 'list':
			return text
				.split(',')
				.map((item) => item.trim())
				.filter(Boolean);
		case 'json':
			return parseJsonText(text, label);
		default:
			return text;
	}
}

interface Entry {
	set: OptionSet;
	key: string;
	names: string[];
}

/** Every flag the sets declare (flag names must be unique across them). */
function flagEntries(sets: readonly OptionSet[]): { entries: Entry[]; config: NonNullable<ParseArgsConfig['options']> } {
	const config: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
	const entries: Entry[] = [];
	for (const set of sets) {
		for (const key of set.keys) {
			const flag = set.flagOf(key);
			if (!flag) continue;
			const names = [flag, ...(set.options[key].aliases ?? [])];
			for (const name of names) {
				if (name in config) throw new Error(`flag --${name} is declared twice`);
				config[name] = { type: set.options[key].kind === 'boolean' ? 'boolean' : 'string' };
			}
			entries.push({ set, key, names });
		}
	}
	return { entries, config };
}

function usageError(error: unknown, flags: string[]): Error {
	const { code, message } = error as { code?: string; message: string };
	const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
	const name = quoted.replace(/ <value>$/, '');
	if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		const bare = name.replace(/^-+/, '');
		return new OptionsError(`unknown option ${name}${didYouMean(bare, flags, (f) => `--${f}`, false)}`);
	}
	if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new OptionsError(`unexpected argument "${quoted}"`);
	if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
		if (/does not take an argument/.test(message)) return new OptionsError(`${name} takes no value`);
		if (/ambiguous/.test(message)) return new OptionsError(`${name} needs a value (one starting with "-" goes as ${name}=-…)`);
		return new OptionsError(`${name} needs a value`);
	}
	return error as Error;
}

/**
 * Parses `argv` against the sets' flags; returns each set's full values in order, or `help`
 * when -h/--help is given (after unknown flags are refused, before values are checked).
 */
export function parseFlags<const S extends readonly OptionSet[]>(
	argv: readonly string[],
	env: Env,
	sets: S
): { help: true } | { help: false; values: FlagValues<S> } {
	const { entries, config } = flagEntries(sets);
	let values: Record<string, string | boolean | undefined>;
	try {
		({ values } = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false }) as { values: typeof values });
	} catch (error) {
		throw usageError(error, Object.keys(config));
	}
	if (values.help) return { help: true };
	const inputs = new Map(sets.map((set) => [set, { input: {} as Record<string, unknown>, labels: {} as Record<string, string> }]));
	for (const { set, key, names } of entries) {
		const slot = inputs.get(set)!;
		const given = names.find((name) => values[name] !== undefined);
		const envName = set.envOf(key);
		const text = given !== undefined ? values[given] : envName ? env[envName] || undefined : undefined;
		if (text === undefined) continue;
		const label = given !== undefined ? `--${given}` : envName!;
		slot.labels[key] = label;
		slot.input[key] = typeof text === 'boolean' ? text : fromText(set.options[key], text, label);
	}
	const resolved = sets.map((set) => {
		const { input, labels } = inputs.get(set)!;
		return set.resolve(input, (key) => labels[key] ?? `--${set.flagOf(key) ?? key}`);
	});
	return { help: false, values: resolved as FlagValues<S> };
}
