/**
 * The real-AC code path never imports the simulator (bridge-agent/src/sim/): what AC and the sim
 * share (Controls, Track, the World interface) lives in neutral modules. Checked twice: every
 * import the source names, `import type` included (TypeScript's pre-processor), and what esbuild
 * bundles from the AC modules.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SRC = resolve(ROOT, 'bridge-agent/src');
const SIM = resolve(SRC, 'sim');
const inDir = (dir: string) =>
	readdirSync(resolve(SRC, dir))
		.filter((f) => f.endsWith('.ts'))
		.map((f) => `${dir}/${f}`);

/** The AC path: the AC world and everything it stands on. (doctor, cli and worlds also offer --source sim.) */
const AC_PATH = [
	'ac-world.ts',
	'world.ts',
	'record-line.ts',
	'rl/observation.ts',
	'rl/reward.ts',
	...inDir('sources'),
	...inDir('sinks'),
	...inDir('driving')
].map((f) => resolve(SRC, f));

function resolveLocal(from: string, spec: string): string | undefined {
	if (!spec.startsWith('.')) return undefined; // packages and node: builtins
	const base = resolve(dirname(from), spec);
	return [base, `${base}.ts`, resolve(base, 'index.ts')].find((p) => existsSync(p) && p.endsWith('.ts'));
}

/** Every local module reachable from `entries` through any import, as [importer, imported] pairs. */
function importEdges(entries: string[]): [string, string][] {
	const edges: [string, string][] = [];
	const seen = new Set<string>();
	const queue = [...entries];
	while (queue.length > 0) {
		const file = queue.pop()!;
		if (seen.has(file)) continue;
		seen.add(file);
		const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
		for (const { fileName } of importedFiles) {
			const target = resolveLocal(file, fileName);
			if (!target) continue;
			edges.push([file, target]);
			queue.push(target);
		}
	}
	return edges;
}

const simImports = (edges: [string, string][]) =>
	edges.filter(([, to]) => to.startsWith(`${SIM}/`)).map(([from, to]) => `${relative(ROOT, from)} → ${relative(ROOT, to)}`);

describe('the AC code path', () => {
	it('names no module under bridge-agent/src/sim/, type imports included', () => {
		const edges = importEdges(AC_PATH);
		assert.ok(edges.length > 10, `walked only ${edges.length} imports`);
		assert.deepEqual(simImports(edges), []);
	});

	it('the walk notices a sim import (worlds.ts offers --source sim)', () => {
		const found = simImports(importEdges([resolve(SRC, 'worlds.ts')]));
		assert.ok(
			found.some((edge) => edge.endsWith('bridge-agent/src/sim/sim-world.ts')),
			found.join('\n')
		);
	});

	it('bundles without any module under bridge-agent/src/sim/', async () => {
		const contents =
			AC_PATH.map((file, i) => `import * as m${i} from ${JSON.stringify(file)};`).join('\n') + `\nexport { ${AC_PATH.map((_, i) => `m${i}`).join(', ')} };`;
		const result = await build({
			stdin: { contents, resolveDir: SRC, loader: 'ts', sourcefile: 'ac-path-entry.ts' },
			absWorkingDir: ROOT, // metafile paths are relative to it
			bundle: true,
			write: false,
			metafile: true,
			platform: 'node',
			format: 'esm',
			packages: 'external',
			logLevel: 'silent'
		});
		const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(ROOT, p));
		assert.ok(inputs.includes(resolve(SRC, 'ac-world.ts')), 'the bundle holds ac-world.ts');
		assert.deepEqual(
			inputs.filter((p) => p.startsWith(`${SIM}/`)).map((p) => relative(ROOT, p)),
			[]
		);
	});
});
