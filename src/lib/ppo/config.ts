/**
 * PPO hyperparameters, each declared once with its default, range and what it does (names as in
 * CleanRL's ppo_continuous_action.py). `resolvePpoConfig` fills defaults and throws with the
 * reason when a key is unknown or a value is out of range. Defaults know nothing about any
 * environment; presets for one (driving) are in presets.ts.
 */
import { bool, defineOptions, int, num, numOrNull, nums, type OptionValues } from '../options/index.ts';

export const PPO_OPTIONS = defineOptions(
	{
		learningRate: num('Adam learning rate', 3e-4, { min: 1e-8, max: 0.1 }),
		annealLr: bool('anneal the learning rate linearly to 0 over totalUpdates', false),
		totalUpdates: int('updates the run is planned for (used by lr annealing)', 1000, { min: 1 }),
		nSteps: int('samples per update, across all actors', 2048, { min: 1, max: 1_000_000 }),
		minibatchSize: int('samples per minibatch (≤ nSteps)', 64, { min: 1 }),
		updateEpochs: int('passes over the rollout per update', 10, { min: 1, max: 100 }),
		gamma: num('discount factor γ', 0.99, { min: 0, max: 1 }),
		gaeLambda: num('GAE λ', 0.95, { min: 0, max: 1 }),
		normAdv: bool('normalise advantages per minibatch', true),
		clipCoef: num('surrogate clipping coefficient ε', 0.2, { above: 0, max: 1 }),
		clipVloss: bool('clip the value loss around the old values (PPO2 style)', false),
		entCoef: num('entropy bonus coefficient', 0, { min: 0, max: 1 }),
		vfCoef: num('value loss coefficient', 0.5, { min: 0, max: 10 }),
		maxGradNorm: num('global gradient-norm clip', 0.5, { above: 0, max: 1000 }),
		targetKl: numOrNull('stop the epochs early when approx KL exceeds this (null = never)', null, { above: 0 }),
		adamEps: num('Adam ε (CleanRL uses 1e-5)', 1e-5, { above: 0, max: 1 }),
		hiddenSizes: nums('hidden layer sizes, same for actor and critic (tanh)', [64, 64], { int: true, min: 1, max: 4096, nonEmpty: true }),
		initLogStd: num('initial log standard deviation of the Gaussian policy', 0, { min: -10, max: 2 }),
		initActionMean: nums("initial mean action (the mean head's bias), one per action dimension; [] = zeros", []),
		normObs: bool('normalise observations with running statistics', true),
		obsClip: num('clip normalised observations to ±this', 10, { above: 0, max: 1000 }),
		normReward: bool('scale rewards by the running std of the discounted return', false),
		rewardClip: num('clip scaled rewards to ±this', 10, { above: 0, max: 1000 }),
		maxPolicyLag: int('samples from policies older than this many versions are dropped', 4, { min: 0, max: 1000 }),
		seed: int('seed for weight initialisation and minibatch shuffling', 1, { min: 0 })
	},
	{
		title: 'PPO settings',
		noun: 'PPO setting',
		flags: false,
		check: (c) => (c.minibatchSize > c.nSteps ? `minibatchSize (${c.minibatchSize}) must not exceed nSteps (${c.nSteps})` : undefined)
	}
);

export type PpoConfig = OptionValues<typeof PPO_OPTIONS.options>;

export const DEFAULT_PPO_CONFIG: Readonly<PpoConfig> = Object.freeze(PPO_OPTIONS.defaults());

/** Defaults overridden by `overrides`; throws OptionsError (a RangeError) with the reason. */
export function resolvePpoConfig(overrides: Partial<PpoConfig> = {}): PpoConfig {
	return PPO_OPTIONS.resolve(overrides);
}
