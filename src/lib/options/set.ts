/**
 * A named set of options (PPO settings, protocol limits, the server's flags, …): one valibot
 * object schema built from its options, its defaults, and validation messages that name the key
 * and, for an unknown key, the nearest valid one. Pure TypeScript.
 */
import * as v from 'valibot';
import type { Extra, Option } from './define.ts';
import { didYouMean } from './nearest.ts';

/** A bad option value, key or flag: the message says which and why. Command lines exit with 2. */
export class OptionsError extends RangeError {
	readonly exitCode = 2;
	override name = 'OptionsError';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any option's value type
export type Options = Record<string, Option<any>>;
/** The values of a set of options: the TypeScript shape follows from the schemas. */
export type OptionValues<O extends Options> = { -readonly [K in keyof O]: O[K] extends Option<infer T> ? T : never };
export type ValuesOf<S> = S extends OptionSet<infer O> ? OptionValues<O> : never;
/** How a key is named in a message (`PPO setting gamma`, `--port`, `PORT`). */
export type Label = (key: string) => string;

export interface SetInfo<T> {
	/** Heading in help and docs. */
	title: string;
	/** What one key is called in messages: `unknown PPO setting "x"`. */
	noun: string;
	/** Prefix for derived env names (`PITWALL_`); without it only an option's own `env` applies. */
	envPrefix?: string;
	/** false: keys are set in JSON or code only, never as flags. */
	flags?: boolean;
	/** A rule across keys, checked on the full values; returns what is wrong. */
	check?(values: T): string | undefined;
}

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const snake = (flag: string) => flag.replace(/-/g, '_').toUpperCase();

export class OptionSet<O extends Options = Options> {
	/** Accepts any subset of the keys and nothing else. */
	readonly schema: v.GenericSchema<unknown, Partial<OptionValues<O>>>;
	readonly label: Label = (key) => `${this.info.noun} ${key}`;

	constructor(
		readonly options: O,
		readonly info: SetInfo<OptionValues<O>>
	) {
		const entries = Object.fromEntries(Object.entries(options).map(([key, o]) => [key, v.optional(o.schema)]));
		const record = v.custom<Record<string, unknown>>((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
		this.schema = v.pipe(record, v.strictObject(entries)) as unknown as v.GenericSchema<unknown, Partial<OptionValues<O>>>;
	}

	get keys(): (keyof O & string)[] {
		return Object.keys(this.options);
	}

	flagOf(key: string): string | undefined {
		const flag = this.options[key].flag;
		return this.info.flags === false || flag === false ? undefined : (flag ?? kebab(key));
	}

	envOf(key: string): string | undefined {
		const { env } = this.options[key];
		if (env !== undefined) return env || undefined;
		const flag = this.flagOf(key);
		return this.info.envPrefix !== undefined && flag ? this.info.envPrefix + snake(flag) : undefined;
	}

	defaultOf<K extends keyof O & string>(key: K): OptionValues<O>[K] {
		const d = this.options[key].default;
		return typeof d === 'function' ? d() : structuredClone(d);
	}

	defaults(): OptionValues<O> {
		return Object.fromEntries(this.keys.map((key) => [key, this.defaultOf(key)])) as OptionValues<O>;
	}

	/** Checks a partial object (known keys, valid values); throws OptionsError with the first problem. */
	parse(input: unknown, label: Label = this.label): Partial<OptionValues<O>> {
		const result = v.safeParse(this.schema, input);
		if (!result.success) throw new OptionsError(describe(this as unknown as OptionSet, result.issues[0], 0, label, ''));
		return result.output;
	}

	/** Defaults, overridden by `input` (checked), then the cross-key rule. */
	resolve(input: unknown = {}, label: Label = this.label): OptionValues<O> {
		const values = this.merge(this.parse(input, label));
		const problem = this.info.check?.(values);
		if (problem) throw new OptionsError(problem);
		return values;
	}

	/** What the cross-key rule says about `partial` on top of the defaults. */
	problem(partial: Partial<OptionValues<O>>): string | undefined {
		return this.info.check?.(this.merge(partial));
	}

	/** Parses JSON text and checks it as a partial object of this set. */
	parseJson(text: string, whole = `${this.info.noun}s`, label: Label = this.label): Partial<OptionValues<O>> {
		const raw = parseJsonText(text, whole);
		const partial = this.parse(raw, label);
		const problem = this.problem(partial);
		if (problem) throw new OptionsError(`${whole}: ${problem}`);
		return partial;
	}

	private merge(partial: Partial<OptionValues<O>>): OptionValues<O> {
		const values = this.defaults();
		for (const [key, value] of Object.entries(partial)) if (value !== undefined) (values as Record<string, unknown>)[key] = value;
		return values;
	}
}

export function defineOptions<O extends Options>(options: O, info: SetInfo<OptionValues<O>>): OptionSet<O> {
	return new OptionSet(options, info);
}

/** An object of another set's keys, given as JSON on the command line (`--ppo '{"nSteps":4096}'`). */
export function json<O extends Options>(doc: string, set: OptionSet<O>, extra: Extra & { example?: string } = {}): Option<Partial<OptionValues<O>>> {
	const { example, ...rest } = extra;
	const problem = (input: unknown) => set.problem(input as Partial<OptionValues<O>>);
	const schema = v.pipe(
		set.schema,
		v.check(
			(partial) => problem(partial) === undefined,
			(issue) => problem(issue.input) ?? ''
		)
	);
	return {
		kind: 'json',
		doc: example ? `${doc}, e.g. \`${example}\`` : doc,
		default: () => ({}),
		defaultDoc: '{}',
		expects: 'a JSON object',
		schema,
		nested: set as unknown as OptionSet,
		...rest
	};
}

export function parseJsonText(text: string, whole: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new OptionsError(`${whole} is not JSON: ${show(text)}`);
	}
}

/** A value as a message quotes it. */
export function show(value: unknown): string {
	const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

type Issue = v.BaseIssue<unknown>;

/** The message for one valibot issue, naming the key (and its set, for JSON inside a flag). */
function describe(set: OptionSet, issue: Issue, depth: number, label: Label, prefix: string): string {
	const item = issue.path?.[depth];
	if (!item) return `${prefix}${set.info.noun}s must be a JSON object, got ${show(issue.input)}`;
	const key = String(item.key);
	if (!Object.hasOwn(set.options, key)) return `${prefix}unknown ${set.info.noun} "${key}"${didYouMean(key, set.keys)}`;
	const option = set.options[key];
	if (option.nested) {
		if (issue.path!.length > depth + 1) return describe(option.nested, issue, depth + 1, option.nested.label, `${prefix}${label(key)}: `);
		if (issue.type === 'check') return `${prefix}${label(key)}: ${issue.message}`;
		return `${prefix}${label(key)} must be a JSON object, got ${show(item.value)}`;
	}
	return `${prefix}${label(key)} must be ${option.expects}, got ${show(item.value)}`;
}
