/**
 * The agent never needs tfjs (architecture rule): its bundle, built as bridge-agent/build.mjs
 * builds it, neither contains nor imports any @tensorflow module. A canary build of the learner's
 * tfjs backend shows that the check would notice.
 */
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** bridge-agent/build.mjs's externals: native add-ons and ws's optional speed-ups. */
const AGENT_EXTERNALS = ['koffi', 'bufferutil', 'utf-8-validate', 'msgpackr-extract'];

async function metafile(entry: string, external: string[]): Promise<Metafile> {
	const result = await build({
		entryPoints: [resolve(ROOT, entry)],
		absWorkingDir: ROOT,
		bundle: true,
		write: false,
		metafile: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		external,
		logLevel: 'silent'
	});
	return result.metafile;
}

/** Bundled @tensorflow sources and @tensorflow imports left external. */
function tensorflow(meta: Metafile): string[] {
	const bundled = Object.keys(meta.inputs).filter((path) => path.includes('node_modules/@tensorflow/'));
	const imported = Object.values(meta.outputs)
		.flatMap((output) => output.imports.map((i) => i.path))
		.filter((path) => path.startsWith('@tensorflow/'));
	return [...new Set([...bundled, ...imported])];
}

describe('the agent bundle', () => {
	it('holds no @tensorflow module, bundled or external', async () => {
		const meta = await metafile('bridge-agent/src/cli.ts', AGENT_EXTERNALS);
		const inputs = Object.keys(meta.inputs);
		assert.ok(
			inputs.includes('bridge-agent/src/agent.ts') && inputs.some((p) => p.startsWith('src/lib/protocol/')),
			'the bundle holds the agent and the protocol'
		);
		assert.deepEqual(tensorflow(meta), []);
	});

	it("the check notices tfjs (canary: the learner's backend module)", async () => {
		const meta = await metafile('src/lib/ppo/backend.ts', ['@tensorflow/tfjs-node']);
		assert.ok(
			tensorflow(meta).some((path) => path.includes('@tensorflow/tfjs-core')),
			'tfjs-core found'
		);
	});
});
