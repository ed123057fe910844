/**
 * One option, declared once: its valibot schema (the typed value), default, one-line doc and the
 * phrase its validation messages use ("a positive integer"). Flag and env names follow from the
 * key unless given. Pure TypeScript: server, agent and browser can import it.
 */
import * as v from 'valibot';
import type { OptionSet } from './set.ts';

/** How flag and env text becomes a value (and how help and docs show it). */
export type Kind = 'number' | 'string' | 'boolean' | 'choice' | 'list' | 'json';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the input side of a schema is irrelevant here
type Schema<T> = v.GenericSchema<any, T>;

export interface Option<T = unknown> {
	readonly kind: Kind;
	readonly schema: Schema<T>;
	/** A value, or a function for defaults computed per use (a run id, the host name). */
	readonly default: T | (() => T);
	/** One line: what it does. */
	readonly doc: string;
	/** What a valid value is, as the messages say it: "must be <expects>". */
	readonly expects: string;
	/** Flag name without dashes (default: the key in kebab-case); false = config or JSON only. */
	readonly flag?: string | false;
	/** Older flag names still accepted. */
	readonly aliases?: readonly string[];
	/** Environment variable (default: the set's envPrefix + the flag in SNAKE_CASE); false = none. */
	readonly env?: string | false;
	/** Shown in help and docs instead of a computed or machine-dependent default. */
	readonly defaultDoc?: string;
	/** Flag or env text → value, before the schema checks it (default: by kind). */
	readonly fromText?: (text: string) => unknown;
	readonly choices?: readonly string[];
	/** A json option's object is checked against this set (messages name its keys). */
	readonly nested?: OptionSet;
}

export type Extra = Pick<Option, 'flag' | 'aliases' | 'env' | 'defaultDoc' | 'fromText'>;
type Default<T> = T | (() => T);

function option<T>(kind: Kind, doc: string, def: Default<T>, expects: string, schema: Schema<T>, extra: Extra & Partial<Option<T>> = {}): Option<T> {
	return { kind, doc, default: def, expects, schema, ...extra };
}

function range(min: number | undefined, max: number | undefined, above: number | undefined): (x: number) => boolean {
	return (x) => (min === undefined || x >= min) && (max === undefined || x <= max) && (above === undefined || x > above);
}

/** A number option whose values pass `valid` (the message says what was expected). */
function numberOption(doc: string, def: Default<number>, expects: string, valid: (x: number) => boolean, extra: Extra): Option<number> {
	return option('number', doc, def, expects, v.pipe(v.number(expects), v.check(valid, expects)), extra);
}

/** A safe integer, ≥ 1 unless `min` says otherwise. */
export function int(doc: string, def: Default<number>, o: Extra & { min?: number; max?: number } = {}): Option<number> {
	const { min = 1, max, ...extra } = o;
	const expects =
		max !== undefined ? `an integer in [${min}, ${max}]` : min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
	const ok = range(min, max, undefined);
	return numberOption(doc, def, expects, (x) => Number.isSafeInteger(x) && ok(x), extra);
}

/** A finite number; `above` is an exclusive lower bound (above: 0 = positive). */
export function num(doc: string, def: Default<number>, o: Extra & { min?: number; max?: number; above?: number } = {}): Option<number> {
	const { min, max, above, ...extra } = o;
	const expects =
		min !== undefined && max !== undefined
			? `in [${min}, ${max}]`
			: above === 0 && max === undefined
				? 'a positive number'
				: above !== undefined
					? `a number > ${above}${max !== undefined ? ` and ≤ ${max}` : ''}`
					: min === 0
						? 'a non-negative number'
						: min !== undefined
							? `a number ≥ ${min}`
							: 'a finite number';
	const ok = range(min, max, above);
	return numberOption(doc, def, expects, (x) => Number.isFinite(x) && ok(x), extra);
}

/** A number, or null (e.g. "no target KL"). */
export function numOrNull(doc: string, def: number | null, o: Extra & { above?: number; min?: number } = {}): Option<number | null> {
	const { above, min, ...extra } = o;
	const inner = num(doc, 0, { above, min });
	const fromText = (text: string) => (text === 'null' ? null : numberText(text));
	return option('number', doc, def, `null or ${inner.expects}`, v.nullable(inner.schema), { fromText, ...extra });
}

/** A switch (flags: present = true). */
export function bool(doc: string, def = false, extra: Extra = {}): Option<boolean> {
	return option('boolean', doc, def, 'a boolean', v.boolean('a boolean'), extra);
}

export function str(doc: string, def: Default<string>, extra?: Extra): Option<string>;
export function str(doc: string, def: undefined, extra?: Extra): Option<string | undefined>;
export function str(doc: string, def: Default<string> | undefined, extra: Extra = {}): Option<string | undefined> {
	return option('string', doc, def, 'text', v.optional(v.string('text')), extra);
}

/** One of a fixed list of words. */
export function choice<const C extends readonly string[]>(doc: string, choices: C, def: C[number], extra: Extra = {}): Option<C[number]> {
	const expects = `one of ${choices.join(', ')}`;
	return option('choice', doc, def, expects, v.picklist(choices, expects), { ...extra, choices });
}

/** A list of names (flags and env: comma-separated), optionally each one of `choices`. */
export function strings(doc: string, def: undefined, o: Extra & { choices?: readonly string[] } = {}): Option<string[] | undefined> {
	const { choices, ...extra } = o;
	const expects = choices ? `a list of ${choices.join(', ')}` : 'a list of names';
	const item = choices ? v.picklist(choices, expects) : v.string(expects);
	return option<string[] | undefined>('list', doc, def, expects, v.optional(v.pipe(v.array(item, expects), v.minLength(1, expects))), { ...extra, choices });
}

/** A list of numbers (flags and env: comma-separated). */
export function nums(doc: string, def: number[], o: Extra & { int?: boolean; min?: number; max?: number; nonEmpty?: boolean } = {}): Option<number[]> {
	const { int: whole, min, max, nonEmpty, ...extra } = o;
	const item = whole ? (min === 1 ? 'positive integers' : 'integers') : 'finite numbers';
	const expects = `a ${nonEmpty ? 'non-empty ' : ''}list of ${item}${max === undefined ? '' : ` ≤ ${max}`}`;
	const ok = (x: number) => (whole ? Number.isSafeInteger(x) : Number.isFinite(x)) && (min === undefined || x >= min) && (max === undefined || x <= max);
	const schema = v.pipe(
		v.array(v.number(expects), expects),
		v.check((xs) => (!nonEmpty || xs.length > 0) && xs.every(ok), expects)
	);
	const fromText = (text: string) => text.split(',').map((item) => numberText(item.trim()));
	return option('list', doc, def, expects, schema, { fromText, ...extra });
}

/** An escape hatch for values no constructor covers (`--time-scale max`). */
export function custom<T>(kind: Kind, doc: string, def: Default<T>, expects: string, check: (x: unknown) => x is T, extra: Extra = {}): Option<T> {
	return option(kind, doc, def, expects, v.custom<T>(check, expects), extra);
}

/** Flag text as a number; anything else stays text, so the schema's message quotes it. */
export function numberText(text: string): unknown {
	const value = Number(text);
	return text.trim() === '' || Number.isNaN(value) ? text : value;
}
