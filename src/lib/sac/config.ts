/**
 * SAC hyperparameters, each declared once with its default, range and what it does (names and
 * defaults as in CleanRL's sac_continuous_action.py where it has them). `resolveSacConfig` fills
 * defaults and throws with the reason when a key is unknown or a value is out of range.
 */
import { bool, defineOptions, int, num, numOrNull, nums, type OptionValues } from '../options/index.ts';

export const SAC_OPTIONS = defineOptions(
	{
		policyLr: num("the actor's Adam learning rate", 3e-4, { min: 1e-8, max: 0.1 }),
		qLr: num("the critics' (and the entropy coefficient's) Adam learning rate", 1e-3, { min: 1e-8, max: 0.1 }),
		gamma: num('discount factor γ', 0.99, { min: 0, max: 1 }),
		tau: num('Polyak factor of the target critics (target ← τ·critic + (1 − τ)·target)', 0.005, { above: 0, max: 1 }),
		batchSize: int('transitions per gradient step', 256, { min: 1, max: 65_536 }),
		bufferSize: int('replay buffer capacity in transitions (see the memory estimate in --help)', 1_000_000, { min: 1, max: 100_000_000 }),
		learningStarts: int('transitions in the replay buffer before the first gradient step', 5000, { min: 0 }),
		utd: num('update-to-data ratio: gradient steps per ingested env step', 1, { above: 0, max: 64 }),
		policyFrequency: int('critic steps per actor update (the actor then takes that many steps: delayed, TD3-style)', 2, { min: 1, max: 100 }),
		targetNetworkFrequency: int('critic steps between target updates', 1, { min: 1, max: 10_000 }),
		alpha: num('entropy coefficient α (the start value when autotune is on)', 0.2, { above: 0, max: 100 }),
		autotune: bool('tune α automatically towards targetEntropy', true),
		targetEntropy: numOrNull('entropy target for autotune (null = −|A|, the action dimension)', null, { min: -1000 }),
		nStep: int('n-step returns (1 = one-step TD; assetto_corsa_gym uses 3)', 1, { min: 1, max: 20 }),
		hiddenSizes: nums('hidden layer sizes of the actor and of each critic (ReLU)', [256, 256], { int: true, min: 1, max: 4096, nonEmpty: true }),
		adamEps: num('Adam ε (PyTorch default)', 1e-8, { above: 0, max: 1 }),
		broadcastEvery: int('gradient steps between new policy versions (weights broadcasts)', 100, { min: 1, max: 1_000_000 }),
		initActionMean: nums("initial mean action (inside the bounds), one per action dimension; [] = the bounds' centre", []),
		normObs: bool('normalise observations with running statistics (shared with the actors in the weights)', true),
		obsClip: num('clip normalised observations to ±this', 10, { above: 0, max: 1000 }),
		seed: int('seed for initialisation, sampling and exploration noise', 1, { min: 0 })
	},
	{
		title: 'SAC settings',
		noun: 'SAC setting',
		flags: false
	}
);

export type SacConfig = OptionValues<typeof SAC_OPTIONS.options>;

export const DEFAULT_SAC_CONFIG: Readonly<SacConfig> = Object.freeze(SAC_OPTIONS.defaults());

/** Defaults overridden by `overrides`; throws OptionsError (a RangeError) with the reason. */
export function resolveSacConfig(overrides: Partial<SacConfig> = {}): SacConfig {
	return SAC_OPTIONS.resolve(overrides);
}

/** The settings a running SAC trainer takes live edits of (PATCH /api/hyperparams). */
export const SAC_LIVE = ['policyLr', 'qLr', 'utd'] as const;
export type SacLive = (typeof SAC_LIVE)[number];

/** The entropy target autotune steers to. */
export function targetEntropyOf(config: SacConfig, actionDim: number): number {
	return config.targetEntropy ?? -actionDim;
}
