/**
 * The policy an actor runs, for either algorithm: a WEIGHTS_UPDATE's `architecture` picks PPO's
 * Gaussian (ppo/forward.ts, `mlp-tanh-…-gaussian`) or SAC's squashed Gaussian (sac/forward.ts,
 * `mlp-relu-…-squashed-gaussian`). Actors (bridge-agent, the learner's remote inference) see only
 * ActorPolicy. Pure TypeScript.
 */
import type { WeightsUpdate } from '../protocol/index.ts';
import { PolicyForward, type ActResult } from '../ppo/forward.ts';
import { ARCHITECTURE_PREFIX, layoutFromManifest } from '../ppo/layout.ts';
import type { Rng } from '../ppo/random.ts';
import { SquashedPolicyForward } from '../sac/forward.ts';
import { isSacArchitecture, SAC_ARCHITECTURE_PREFIX, sacLayoutFromManifest } from '../sac/layout.ts';

export type { ActResult };

/** What an actor needs from a policy, whichever algorithm trained it. */
export interface ActorPolicy {
	readonly obsDim: number;
	readonly actionDim: number;
	/** act() also runs a critic when the policy has one (PPO); the value is 0 otherwise. */
	computeValue: boolean;
	/**
	 * A sampled action (the deterministic one without an rng) with its log-prob; the result is
	 * reused by the next call.
	 */
	act(obs: ArrayLike<number>, rng?: Rng): ActResult;
	/** The deterministic action (evaluation). */
	mean(obs: ArrayLike<number>, out?: Float32Array): Float32Array;
}

/** A policy from a WEIGHTS_UPDATE; throws when the architecture, tensors or dims do not fit. */
export function policyFromWeights(update: WeightsUpdate, expect?: { obsDim: number; actionDim: number }): ActorPolicy {
	const { architecture, tensors, obsNorm } = update.manifest;
	const check = (layout: { obsDim: number; actionDim: number }) => {
		if (expect && (layout.obsDim !== expect.obsDim || layout.actionDim !== expect.actionDim)) {
			throw new Error(`weights are for obs ${layout.obsDim} / action ${layout.actionDim}, this actor has ${expect.obsDim} / ${expect.actionDim}`);
		}
	};
	if (isSacArchitecture(architecture)) {
		const layout = sacLayoutFromManifest(tensors, architecture);
		check(layout);
		return new SquashedPolicyForward(layout, update.data, obsNorm);
	}
	if (architecture.startsWith(`${ARCHITECTURE_PREFIX}-`)) {
		const layout = layoutFromManifest(tensors, architecture);
		check(layout);
		return new PolicyForward(layout, update.data, obsNorm);
	}
	throw new Error(
		`unsupported policy architecture "${architecture}": this actor runs ${ARCHITECTURE_PREFIX}-<sizes>-gaussian (PPO) or ${SAC_ARCHITECTURE_PREFIX}-<sizes>-squashed-gaussian (SAC)`
	);
}
