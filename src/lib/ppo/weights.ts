/**
 * Policy weights in the protocol's format (manifest + one flat float32 buffer) and back into a
 * runnable pure-TS policy. Pure TypeScript.
 */
import { MessageType, type ObsNormStats, type WeightsUpdate } from '../protocol/index.ts';
import { PolicyForward } from './forward.ts';
import { architectureName, layoutFromManifest, type PolicyLayout } from './layout.ts';

export function weightsMessage(layout: PolicyLayout, params: Float32Array, policyVersion: number, obsNorm?: ObsNormStats): WeightsUpdate {
	return {
		type: MessageType.WEIGHTS_UPDATE,
		manifest: {
			policyVersion,
			dtype: 'float32',
			tensors: layout.entries.map(({ name, shape }) => ({ name, shape })),
			architecture: architectureName(layout.hiddenSizes),
			...(obsNorm ? { obsNorm } : {})
		},
		data: params
	};
}

/** A policy from a WEIGHTS_UPDATE; throws when the architecture or sizes do not fit. */
export function policyFromWeights(update: WeightsUpdate, expect?: { obsDim: number; actionDim: number }): PolicyForward {
	const layout = layoutFromManifest(update.manifest.tensors, update.manifest.architecture);
	if (expect && (layout.obsDim !== expect.obsDim || layout.actionDim !== expect.actionDim)) {
		throw new Error(`weights are for obs ${layout.obsDim} / action ${layout.actionDim}, this actor has ${expect.obsDim} / ${expect.actionDim}`);
	}
	return new PolicyForward(layout, update.data, update.manifest.obsNorm);
}
