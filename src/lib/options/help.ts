/** `--help` text from option sets: every flag with its value, doc, default and env var. Pure. */
import type { OptionSet } from './set.ts';

const MAX_FLAG_COLUMN = 36;
/** Longer choice lists show as NAME, with the choices after the doc. */
const MAX_CHOICES_LENGTH = 24;

/** The default as help (docs: false) or docs (docs: true) show it. */
export function defaultText(set: OptionSet, key: string, docs = false): string {
	const option = set.options[key];
	const value: unknown = set.defaultOf(key);
	// Help shows a static default as it is here (a local path); docs show it for every machine.
	if (option.defaultDoc !== undefined && (docs || typeof option.default === 'function' || value === undefined || value === '')) return option.defaultDoc;
	if (value === undefined) return 'none';
	if (typeof value === 'boolean') return value ? 'on' : 'off';
	if (typeof value === 'string') return value === '' ? '""' : value;
	if (typeof value === 'number') return value === Infinity ? 'max' : String(value);
	return JSON.stringify(value);
}

/** What follows the flag: `N`, `oval|mixed`, `JSON`, nothing for a switch. */
export function placeholder(set: OptionSet, key: string): string {
	const option = set.options[key];
	switch (option.kind) {
		case 'boolean':
			return '';
		case 'number':
			return 'N';
		case 'choice':
			return option.choices!.join('|').length <= MAX_CHOICES_LENGTH ? option.choices!.join('|') : 'NAME';
		case 'list':
			return 'A,B,…';
		case 'json':
			return 'JSON';
		default:
			return 'TEXT';
	}
}

const plain = (doc: string) => doc.replace(/`/g, '');

/** Usage line, one section per set, then the keys of each JSON-valued flag. */
export function helpText(usage: string, sets: readonly OptionSet[]): string {
	const sections: [string, [string, string][]][] = [];
	const nested: [string, OptionSet][] = [];
	const flagSets = sets.filter((set) => set.keys.some((key) => set.flagOf(key)));
	flagSets.forEach((set, i) => {
		const rows: [string, string][] = [];
		for (const key of set.keys) {
			const flag = set.flagOf(key);
			if (!flag) continue;
			const option = set.options[key];
			const env = set.envOf(key);
			const value = placeholder(set, key);
			const aliases = (option.aliases ?? []).map((a) => `; or --${a}`).join('');
			const choices = value === 'NAME' ? ` (${option.choices!.join(', ')})` : '';
			rows.push([
				`--${flag}${value ? ` ${value}` : ''}`,
				`${plain(option.doc)}${choices} [default ${defaultText(set, key)}${env ? `; env ${env}` : ''}${aliases}]`
			]);
			if (option.nested) nested.push([`--${flag}`, option.nested]);
		}
		if (i === flagSets.length - 1) rows.push(['-h, --help', 'this text']);
		sections.push([`${set.info.title}:`, rows]);
	});
	for (const [flag, set] of nested) {
		const rows: [string, string][] = set.keys.map((key) => [key, `${plain(set.options[key].doc)} [default ${defaultText(set, key)}]`]);
		sections.push([`${set.info.title} (keys of ${flag} JSON):`, rows]);
	}
	const width = Math.min(MAX_FLAG_COLUMN, Math.max(...sections.flatMap(([, rows]) => rows.map(([left]) => left.length))) + 2);
	const out = [usage, ''];
	for (const [title, rows] of sections) {
		out.push(title, ...rows.map(([left, right]) => `  ${left.padEnd(width)}${left.length >= width ? ' ' : ''}${right}`), '');
	}
	return out.join('\n');
}
