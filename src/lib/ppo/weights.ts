/**
 * Policy weights in the protocol's format: manifest + one flat float32 buffer. Pure TypeScript.
 * Back into a runnable policy (PPO's or SAC's): policyFromWeights in policy/index.ts.
 */
import { MessageType, type ObsNormStats, type TensorEntry, type WeightsUpdate } from '../protocol/index.ts';
import { architectureName, type PolicyLayout } from './layout.ts';

/** A WEIGHTS_UPDATE of tensors (name + shape, in buffer order) and their floats, for any architecture. */
export function weightsUpdate(
	tensors: readonly TensorEntry[],
	architecture: string,
	params: Float32Array,
	policyVersion: number,
	obsNorm?: ObsNormStats
): WeightsUpdate {
	return {
		type: MessageType.WEIGHTS_UPDATE,
		manifest: {
			policyVersion,
			dtype: 'float32',
			tensors: tensors.map(({ name, shape }) => ({ name, shape })),
			architecture,
			...(obsNorm ? { obsNorm } : {})
		},
		data: params
	};
}

export function weightsMessage(layout: PolicyLayout, params: Float32Array, policyVersion: number, obsNorm?: ObsNormStats): WeightsUpdate {
	return weightsUpdate(layout.entries, architectureName(layout.hiddenSizes), params, policyVersion, obsNorm);
}
