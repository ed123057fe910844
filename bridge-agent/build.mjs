// Bundles the agent into ONE file, dist/bridge-agent.js, that runs with plain `node`. The native
// add-on koffi (Windows shared memory and vJoy) stays external: `npm install` in bridge-agent/.
import { build } from 'esbuild';

await build({
	entryPoints: [new URL('./src/cli.ts', import.meta.url).pathname],
	outfile: new URL('./dist/bridge-agent.js', import.meta.url).pathname,
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	external: ['koffi', 'bufferutil', 'utf-8-validate', 'msgpackr-extract'],
	banner: { js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
	logLevel: 'warning'
});
