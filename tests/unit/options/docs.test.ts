/** docs/operations.md's option tables are generated from the option sets and must be current. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { OPERATIONS_MD, SECTIONS, renderOptionDocs } from '../../../scripts/options-doc.ts';

it('docs/operations.md is up to date with the option sets (npx tsx scripts/options-doc.ts)', () => {
	const markdown = readFileSync(OPERATIONS_MD, 'utf8');
	for (const name of Object.keys(SECTIONS)) assert.ok(markdown.includes(`<!-- options:${name} -->`), `section ${name} has its markers`);
	assert.equal(markdown, renderOptionDocs(markdown), 'run `npx tsx scripts/options-doc.ts` and commit docs/operations.md');
});

it('a changed option shows up as a stale table', () => {
	const markdown = readFileSync(OPERATIONS_MD, 'utf8');
	const stale = markdown.replace('| `--max-actors` | `PITWALL_MAX_ACTORS` | 64 |', '| `--max-actors` | `PITWALL_MAX_ACTORS` | 32 |');
	assert.notEqual(stale, markdown, 'the fixture row exists');
	assert.notEqual(renderOptionDocs(stale), stale);
});
