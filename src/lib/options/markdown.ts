/**
 * The option tables in docs/operations.md, generated from the sets, and the rewrite of the text
 * between `<!-- options:NAME -->` and `<!-- /options:NAME -->`. Pure.
 */
import { defaultText } from './help.ts';
import type { OptionSet } from './set.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => (/[[{"*_<>]/.test(text) ? `\`${text}\`` : text);

function meaning(set: OptionSet, key: string): string {
	const option = set.options[key];
	const choices = option.choices ? ` (${option.choices.map((c) => `\`${c}\``).join(', ')})` : '';
	return cell(option.doc + choices);
}

/** flag | env | default | meaning, for every flag of the sets. */
export function flagTable(sets: readonly OptionSet[]): string {
	const rows = ['| flag | env | default | meaning |', '|---|---|---|---|'];
	for (const set of sets) {
		for (const key of set.keys) {
			const flag = set.flagOf(key);
			if (!flag) continue;
			const env = set.envOf(key);
			const aliases = (set.options[key].aliases ?? []).map((a) => ` (or \`--${a}\`)`).join('');
			rows.push(`| \`--${flag}\`${aliases} | ${env ? `\`${env}\`` : ''} | ${cell(code(defaultText(set, key, true)))} | ${meaning(set, key)} |`);
		}
	}
	return rows.join('\n');
}

/** key | default | meaning, for a set given as JSON or config. */
export function keyTable(set: OptionSet): string {
	const rows = ['| key | default | meaning |', '|---|---|---|'];
	for (const key of set.keys) rows.push(`| \`${key}\` | ${cell(code(defaultText(set, key, true)))} | ${meaning(set, key)} |`);
	return rows.join('\n');
}

/** Replaces what lies between the section's markers; throws when the markers are missing. */
export function replaceSection(markdown: string, name: string, content: string): string {
	const begin = `<!-- options:${name} -->`;
	const end = `<!-- /options:${name} -->`;
	const from = markdown.indexOf(begin);
	const to = markdown.indexOf(end);
	if (from < 0 || to < from) throw new Error(`markers ${begin} … ${end} not found`);
	return `${markdown.slice(0, from + begin.length)}\n${content}\n${markdown.slice(to)}`;
}
