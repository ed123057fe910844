/**
 * src/lib/protocol, src/lib/transitions and src/lib/options are shared by server, browser and agent:
 * they may import only each other, msgpackr, fflate and valibot (options/argv.ts is the node-only
 * flag reader, used by server and agent).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { it } from 'node:test';

const ROOTS = ['protocol', 'transitions', 'options'].map((dir) => new URL(`../../../src/lib/${dir}/`, import.meta.url).pathname);
const NODE_ONLY = new Set(['argv.ts']);
const ALLOWED_PACKAGES = new Set(['msgpackr', 'fflate', 'valibot']);
const HOST_GLOBALS = /\b(process|Buffer|require|window|document|navigator|localStorage|__dirname)\b\s*[.([]/;

function files(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []
	);
}

it('the shared modules import nothing host-specific', () => {
	const offenders: string[] = [];
	for (const file of ROOTS.flatMap(files).filter((f) => !NODE_ONLY.has(f.split('/').at(-1)!))) {
		const source = readFileSync(file, 'utf8');
		for (const match of source.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]/g)) {
			const specifier = match[1] ?? match[2];
			if (specifier.startsWith('.')) {
				const target = resolve(dirname(file), specifier);
				if (!ROOTS.some((root) => target.startsWith(root))) offenders.push(`${file}: ${specifier} (outside the shared modules)`);
			} else if (!ALLOWED_PACKAGES.has(specifier)) offenders.push(`${file}: ${specifier}`);
		}
		const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
		const global = HOST_GLOBALS.exec(code);
		if (global) offenders.push(`${file}: uses ${global[1]}`);
	}
	assert.deepStrictEqual(offenders, []);
});
