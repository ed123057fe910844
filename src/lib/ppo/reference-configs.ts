/**
 * Hyperparameters for the reference tasks, in one table (everything else is DEFAULT_PPO_CONFIG).
 * Pendulum follows rl-baselines3-zoo's choices (γ 0.9, lr 1e-3) with larger rollouts and reward
 * scaling instead of gSDE.
 */
import type { PpoConfig } from './config.ts';

export interface ReferenceConfig {
	numEnvs: number;
	config: Partial<PpoConfig>;
}

export const REFERENCE_CONFIGS = {
	cartpole: { numEnvs: 4, config: { nSteps: 2048 } },
	pendulum: { numEnvs: 4, config: { nSteps: 4096, gamma: 0.9, learningRate: 1e-3, normReward: true } }
} satisfies Record<string, ReferenceConfig>;
