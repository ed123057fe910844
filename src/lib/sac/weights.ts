/**
 * SAC's actor weights as a WEIGHTS_UPDATE: the same manifest as PPO's (ppo/weights.ts), with the
 * `mlp-relu-…-squashed-gaussian` architecture and the actor's tensors only (the critics stay on
 * the learner). Pure TypeScript; policy/index.ts runs it.
 */
import type { ObsNormStats, WeightsUpdate } from '../protocol/index.ts';
import { weightsUpdate } from '../ppo/weights.ts';
import { sacArchitectureName, type SacActorLayout } from './layout.ts';

export function sacWeightsMessage(layout: SacActorLayout, params: Float32Array, policyVersion: number, obsNorm?: ObsNormStats): WeightsUpdate {
	if (params.length !== layout.size) throw new Error(`expected ${layout.size} actor parameters, got ${params.length}`);
	return weightsUpdate(layout.entries, sacArchitectureName(layout.hiddenSizes), params, policyVersion, obsNorm);
}
