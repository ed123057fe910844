/**
 * The SAC actor as a standard tfjs Layers model (like ppo/layers-export.ts), so a checkpoint's
 * policy loads anywhere with tf.loadLayersModel. Input: the normalised, clipped observation (the
 * normaliser's statistics are in state.json). Two outputs:
 *   action    the deterministic action tanh(mean)·scale + bias, inside the bounds
 *   log_std   log σ of the Gaussian before the squash, LOG_STD_MIN + ½(MAX − MIN)(tanh(raw) + 1)
 * The affine maps after each tanh are Dense layers with diagonal kernels (not trained), so every
 * layer is a stock one.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../ppo/backend.ts';
import { entry } from '../ppo/layout.ts';
import { artifactsOf, type LayersArtifacts } from '../ppo/layers-export.ts';
import { LOG_STD_MAX, LOG_STD_MIN, type SacActorLayout } from './layout.ts';

export function buildSacLayersModel(layout: SacActorLayout, params: Float32Array): tfl.LayersModel {
	const { actionDim } = layout;
	const slice = (name: string) => {
		const e = entry(layout, name);
		return params.subarray(e.offset, e.offset + e.size);
	};
	const weights: [tfl.layers.Layer, Float32Array, number[], Float32Array][] = [];
	const dense = (h: tfl.SymbolicTensor, units: number, activation: 'relu' | 'tanh' | 'linear', name: string, w: Float32Array, b: Float32Array) => {
		const layer = tfl.layers.dense({ units, activation, name });
		const out = layer.apply(h) as tfl.SymbolicTensor;
		weights.push([layer, w, [h.shape[1] as number, units], b]);
		return out;
	};
	const diagonal = (h: tfl.SymbolicTensor, name: string, scale: ArrayLike<number>, bias: ArrayLike<number>) => {
		const w = new Float32Array(actionDim * actionDim);
		for (let i = 0; i < actionDim; i++) w[i * actionDim + i] = scale[i];
		return dense(h, actionDim, 'linear', name, w, Float32Array.from(bias));
	};
	const input = tfl.input({ shape: [layout.obsDim], name: 'obs' });
	let h = input;
	layout.hiddenSizes.forEach((units, i) => (h = dense(h, units, 'relu', `pi_dense${i}`, slice(`pi/w${i}`), slice(`pi/b${i}`))));
	const squashed = dense(h, actionDim, 'tanh', 'pi_mean', slice('pi/mean/w'), slice('pi/mean/b'));
	const action = diagonal(squashed, 'action', slice('pi/action_scale'), slice('pi/action_bias'));
	const rawStd = dense(h, actionDim, 'tanh', 'pi_log_std', slice('pi/log_std/w'), slice('pi/log_std/b'));
	const half = (LOG_STD_MAX - LOG_STD_MIN) / 2;
	const logStd = diagonal(rawStd, 'log_std', new Array(actionDim).fill(half), new Array(actionDim).fill(LOG_STD_MIN + half));
	const model = tfl.model({ inputs: input, outputs: [action, logStd], name: 'pitwall_sac_actor' });
	for (const [layer, w, shape, b] of weights) {
		const tensors = [tf.tensor(w, shape), tf.tensor(b, [b.length])];
		layer.setWeights(tensors);
		tensors.forEach((t) => t.dispose());
	}
	return model;
}

export function exportSacLayersModel(layout: SacActorLayout, params: Float32Array): Promise<LayersArtifacts> {
	return artifactsOf(buildSacLayersModel(layout, params));
}
