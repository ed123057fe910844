/**
 * Chooses the TensorFlow.js backend: tfjs-node when a user has installed it (it cannot install on
 * every machine), else WebAssembly (SIMD), else plain JS. Node only.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers them all. (Neither
// adds chained tensor methods, so pitwall calls ops as functions: tf.sub(a, b), never a.sub(b).)
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_PREFERENCE: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

const require = createRequire(import.meta.url);

async function register(name: BackendName): Promise<boolean> {
	if (name === 'tensorflow') {
		try {
			require.resolve('@tensorflow/tfjs-node');
		} catch {
			return false; // not installed: the usual case
		}
		await import(/* @vite-ignore */ '@tensorflow/tfjs-node' as string);
		return tf.findBackend('tensorflow') !== null;
	}
	if (name === 'wasm') {
		const wasm = await import('@tensorflow/tfjs-backend-wasm');
		const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
		wasm.setWasmPaths(`${dirname(entry)}/`);
	}
	return true;
}

/**
 * Activates the first backend of `preference` that works, checks that it really is active,
 * enables prod mode and returns its name.
 */
export async function initBackend(preference: readonly BackendName[] = BACKEND_PREFERENCE): Promise<BackendName> {
	const failures: string[] = [];
	tf.enableProdMode(); // also silences the cpu backend's "install tfjs-node" banner
	for (const name of preference) {
		try {
			if (!(await register(name))) continue;
			if ((await tf.setBackend(name)) && tf.getBackend() === name) return name;
			failures.push(`${name}: setBackend returned false`);
		} catch (error) {
			failures.push(`${name}: ${(error as Error).message?.split('\n')[0]}`);
		}
	}
	throw new Error(`no TensorFlow.js backend could start (${failures.join('; ')})`);
}

export { tf };
