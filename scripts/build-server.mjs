// Bundles the production server for plain `node` (no tsx at run time): server.ts → build/server.js
// the trainer worker (src/lib/server/trainer/worker.ts) → build/trainer-worker.js, which
// TrainerHost starts when it runs from the bundle, and the trainer's gradient threads
// (src/lib/parallel/worker.ts) → build/parallel-worker.js, which parallel/pool.ts starts. Run after `vite build` (it empties build/).
// Packages stay external: they are dependencies, resolved from node_modules beside build/ (the
// wasm backend finds its .wasm files there too, see src/lib/ppo/backend.ts).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}build`;

if (!existsSync(`${out}/handler.js`)) throw new Error('build/handler.js is missing: run `vite build` first');

await build({
	entryPoints: {
		server: `${root}server.ts`,
		'trainer-worker': `${root}src/lib/server/trainer/worker.ts`,
		'parallel-worker': `${root}src/lib/parallel/worker.ts`
	},
	outdir: out,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	sourcemap: true,
	logLevel: 'warning'
});
