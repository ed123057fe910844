/**
 * SAC settings for the reference tasks, in one table (everything else is DEFAULT_SAC_CONFIG).
 * Pendulum follows rl-baselines3-zoo (lr 1e-3 for both, 20 k steps) with 2×64 networks instead
 * of 2×256 (four times the gradient steps per second on the wasm backend; Pendulum does not need
 * the width) and learning from 1000 transitions.
 */
import type { SacConfig } from './config.ts';

export interface SacReferenceConfig {
	/** Env steps of a run. */
	steps: number;
	config: Partial<SacConfig>;
}

export const SAC_REFERENCE_CONFIGS = {
	pendulum: { steps: 20_000, config: { hiddenSizes: [64, 64], policyLr: 1e-3, qLr: 1e-3, learningStarts: 1000, normObs: false, broadcastEvery: 1 } },
	cartpole: { steps: 20_000, config: { hiddenSizes: [64, 64], policyLr: 1e-3, qLr: 1e-3, learningStarts: 1000, normObs: false, broadcastEvery: 1 } }
} satisfies Record<string, SacReferenceConfig>;
