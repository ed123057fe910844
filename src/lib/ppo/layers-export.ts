/**
 * The policy as a standard tfjs Layers model (two outputs: action mean, value), so a checkpoint's
 * network loads anywhere with tf.loadLayersModel. The Gaussian log-std is not a layer; it lives
 * in the checkpoint's parameter file.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from './backend.ts';
import { entry, type PolicyLayout } from './layout.ts';

export interface LayersArtifacts {
	/** model.json in the tfjs "layers-model" format, weights in ./weights.bin */
	modelJson: string;
	weights: Uint8Array;
}

export const LAYERS_WEIGHTS_FILE = 'weights.bin';

export function buildLayersModel(layout: PolicyLayout, params: Float32Array): tfl.LayersModel {
	const input = tfl.input({ shape: [layout.obsDim], name: 'obs' });
	const slice = (name: string) => {
		const e = entry(layout, name);
		return tf.tensor(params.subarray(e.offset, e.offset + e.size), e.shape);
	};
	const outputs: tfl.SymbolicTensor[] = [];
	const assignments: [tfl.layers.Layer, string, string][] = [];
	for (const [net, outName, outDim] of [
		['pi', 'mean', layout.actionDim],
		['v', 'out', 1]
	] as const) {
		let h = input;
		layout.hiddenSizes.forEach((units, i) => {
			const dense = tfl.layers.dense({ units, activation: 'tanh', name: `${net}_dense${i}` });
			h = dense.apply(h) as tfl.SymbolicTensor;
			assignments.push([dense, `${net}/w${i}`, `${net}/b${i}`]);
		});
		const head = tfl.layers.dense({ units: outDim, name: `${net}_${outName}` });
		outputs.push(head.apply(h) as tfl.SymbolicTensor);
		assignments.push([head, `${net}/${outName}/w`, `${net}/${outName}/b`]);
	}
	const model = tfl.model({ inputs: input, outputs, name: 'pitwall_actor_critic' });
	for (const [layer, w, b] of assignments) {
		const tensors = [slice(w), slice(b)];
		layer.setWeights(tensors);
		tensors.forEach((t) => t.dispose());
	}
	return model;
}

export function exportLayersModel(layout: PolicyLayout, params: Float32Array): Promise<LayersArtifacts> {
	return artifactsOf(buildLayersModel(layout, params));
}

/** A built model as model.json (topology + manifest pointing at weights.bin) and weights.bin; disposes the model. */
export async function artifactsOf(model: tfl.LayersModel): Promise<LayersArtifacts> {
	let artifacts: tf.io.ModelArtifacts | undefined;
	try {
		await model.save(
			tf.io.withSaveHandler(async (saved) => {
				artifacts = saved;
				return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
			})
		);
	} finally {
		model.dispose();
	}
	if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('tfjs produced no weights');
	const weightData = artifacts.weightData as ArrayBuffer;
	return {
		modelJson: JSON.stringify({
			format: 'layers-model',
			generatedBy: 'pitwall',
			convertedBy: null,
			modelTopology: artifacts.modelTopology,
			weightsManifest: [{ paths: [LAYERS_WEIGHTS_FILE], weights: artifacts.weightSpecs }]
		}),
		weights: new Uint8Array(weightData)
	};
}

/** Loads model.json + weights.bin with tf.loadLayersModel (from memory). */
export async function loadLayersArtifacts(artifacts: LayersArtifacts): Promise<tfl.LayersModel> {
	const json = JSON.parse(artifacts.modelJson);
	return tfl.loadLayersModel(
		tf.io.fromMemory({
			modelTopology: json.modelTopology,
			weightSpecs: json.weightsManifest[0].weights,
			weightData: artifacts.weights.slice().buffer
		})
	);
}
