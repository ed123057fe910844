// Bundles the production server for plain `node` (no tsx at run time): server.ts → build/server.js
// and the trainer worker (src/lib/server/trainer/worker.ts) → build/trainer-worker.js, which
// TrainerHost starts when it runs from the bundle. Run after `vite build` (it empties build/).
// Packages stay external: they are dependencies, resolved from node_modules beside build/ (the
// wasm backend finds its .wasm files there too, see src/lib/ppo/backend.ts).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverEntry = `${root}server.ts`;
const out = `${root}build`;

if (!existsSync(`${out}/handler.js`)) throw new Error('build/handler.js is missing: run `vite build` first');

/**
 * server.ts imports the SvelteKit handler as './build/handler.js', relative to the project root
 * where it lives; bundled into build/ the handler sits beside it.
 */
const handlerBesideBundle = {
	name: 'handler-beside-bundle',
	setup(b) {
		b.onLoad({ filter: /server\.ts$/ }, async (args) => {
			if (args.path !== serverEntry) return undefined;
			const source = await readFile(args.path, 'utf8');
			const from = "'./build/handler.js'";
			if (!source.includes(from)) throw new Error(`server.ts no longer imports ${from}: update scripts/build-server.mjs`);
			return { contents: source.replace(from, "'./handler.js'"), loader: 'ts' };
		});
	}
};

await build({
	entryPoints: { server: serverEntry, 'trainer-worker': `${root}src/lib/server/trainer/worker.ts` },
	outdir: out,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	sourcemap: true,
	plugins: [handlerBesideBundle],
	logLevel: 'warning'
});
