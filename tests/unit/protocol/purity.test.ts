/** src/lib/protocol is shared by server, browser and agent: it may import only itself, msgpackr and fflate. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = new URL('../../../src/lib/protocol/', import.meta.url).pathname;
const ALLOWED_PACKAGES = new Set(['msgpackr', 'fflate']);
const HOST_GLOBALS = /\b(process|Buffer|require|window|document|navigator|localStorage|__dirname)\b\s*[.([]/;

function files(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
	);
}

it('protocol sources import nothing host-specific', () => {
	const offenders: string[] = [];
	for (const file of files(ROOT)) {
		const source = readFileSync(file, 'utf8');
		for (const match of source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g)) {
			const specifier = match[1] ?? match[2];
			if (!specifier.startsWith('.') && !ALLOWED_PACKAGES.has(specifier)) offenders.push(`${file}: ${specifier}`);
		}
		const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
		const global = HOST_GLOBALS.exec(code);
		if (global) offenders.push(`${file}: uses ${global[1]}`);
	}
	assert.deepStrictEqual(offenders, []);
});
