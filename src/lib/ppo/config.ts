/**
 * PPO hyperparameters, each declared once with its default and what it does (names as in CleanRL's
 * ppo_continuous_action.py). `resolvePpoConfig` fills defaults and throws with the reason when a
 * value is out of range.
 */
export interface PpoConfig {
	/** Adam learning rate. */
	learningRate: number;
	/** Anneal the learning rate linearly to 0 over `totalUpdates`. */
	annealLr: boolean;
	/** Updates the run is planned for (used by lr annealing). */
	totalUpdates: number;
	/** Samples per update, across all actors. */
	nSteps: number;
	/** Samples per minibatch. */
	minibatchSize: number;
	/** Passes over the rollout per update. */
	updateEpochs: number;
	/** Discount factor γ. */
	gamma: number;
	/** GAE λ. */
	gaeLambda: number;
	/** Normalise advantages per minibatch. */
	normAdv: boolean;
	/** Surrogate clipping coefficient ε. */
	clipCoef: number;
	/** Clip the value loss around the old values (PPO2 style). */
	clipVloss: boolean;
	/** Entropy bonus coefficient. */
	entCoef: number;
	/** Value loss coefficient. */
	vfCoef: number;
	/** Global gradient-norm clip. */
	maxGradNorm: number;
	/** Stop the update's epochs early when approx KL exceeds this (null = never). */
	targetKl: number | null;
	/** Adam ε (CleanRL uses 1e-5). */
	adamEps: number;
	/** Hidden layer sizes, same for actor and critic (tanh). */
	hiddenSizes: number[];
	/** Initial log standard deviation of the Gaussian policy. */
	initLogStd: number;
	/** Initial mean action (the mean head's bias), one value per action dimension; [] = zeros. */
	initActionMean: number[];
	/** Normalise observations with running statistics. */
	normObs: boolean;
	/** Clip normalised observations to ±this. */
	obsClip: number;
	/** Scale rewards by the running std of the discounted return. */
	normReward: boolean;
	/** Clip scaled rewards to ±this. */
	rewardClip: number;
	/** Samples from policies older than this many versions are dropped by the caller. */
	maxPolicyLag: number;
	/** Seed for weight initialisation and minibatch shuffling. */
	seed: number;
}

export const DEFAULT_PPO_CONFIG: Readonly<PpoConfig> = Object.freeze({
	learningRate: 3e-4,
	annealLr: false,
	totalUpdates: 1000,
	nSteps: 2048,
	minibatchSize: 64,
	updateEpochs: 10,
	gamma: 0.99,
	gaeLambda: 0.95,
	normAdv: true,
	clipCoef: 0.2,
	clipVloss: false,
	entCoef: 0,
	vfCoef: 0.5,
	maxGradNorm: 0.5,
	targetKl: null,
	adamEps: 1e-5,
	hiddenSizes: [64, 64],
	initLogStd: 0,
	initActionMean: [],
	normObs: true,
	obsClip: 10,
	normReward: false,
	rewardClip: 10,
	maxPolicyLag: 4,
	seed: 1
});

type Check = [keyof PpoConfig, (value: never) => boolean, string];

const positive = (v: number) => Number.isFinite(v) && v > 0;
const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
const unit = (v: number) => Number.isFinite(v) && v >= 0 && v <= 1;
const nonNegative = (v: number) => Number.isFinite(v) && v >= 0;
const bool = (v: boolean) => typeof v === 'boolean';

const CHECKS: Check[] = [
	['learningRate', positive, 'a positive number'],
	['annealLr', bool, 'a boolean'],
	['totalUpdates', positiveInt, 'a positive integer'],
	['nSteps', positiveInt, 'a positive integer'],
	['minibatchSize', positiveInt, 'a positive integer'],
	['updateEpochs', positiveInt, 'a positive integer'],
	['gamma', unit, 'in [0, 1]'],
	['gaeLambda', unit, 'in [0, 1]'],
	['normAdv', bool, 'a boolean'],
	['clipCoef', positive, 'a positive number'],
	['clipVloss', bool, 'a boolean'],
	['entCoef', nonNegative, 'a non-negative number'],
	['vfCoef', nonNegative, 'a non-negative number'],
	['maxGradNorm', positive, 'a positive number'],
	['targetKl', (v: number | null) => v === null || positive(v), 'null or a positive number'],
	['adamEps', positive, 'a positive number'],
	['hiddenSizes', (v: number[]) => Array.isArray(v) && v.length > 0 && v.every(positiveInt), 'a non-empty list of positive integers'],
	['initLogStd', (v: number) => Number.isFinite(v), 'a finite number'],
	['initActionMean', (v: number[]) => Array.isArray(v) && v.every(Number.isFinite), 'a list of finite numbers'],
	['normObs', bool, 'a boolean'],
	['obsClip', positive, 'a positive number'],
	['normReward', bool, 'a boolean'],
	['rewardClip', positive, 'a positive number'],
	['maxPolicyLag', (v: number) => Number.isInteger(v) && v >= 0, 'a non-negative integer'],
	['seed', (v: number) => Number.isInteger(v) && v >= 0, 'a non-negative integer']
];

export function resolvePpoConfig(overrides: Partial<PpoConfig> = {}): PpoConfig {
	for (const key of Object.keys(overrides)) {
		if (!(key in DEFAULT_PPO_CONFIG)) throw new RangeError(`unknown PPO setting "${key}"`);
	}
	const config: PpoConfig = { ...DEFAULT_PPO_CONFIG, hiddenSizes: [...DEFAULT_PPO_CONFIG.hiddenSizes], initActionMean: [], ...overrides };
	for (const [key, ok, expected] of CHECKS) {
		if (!ok(config[key] as never)) throw new RangeError(`PPO setting ${key} must be ${expected}, got ${JSON.stringify(config[key])}`);
	}
	if (config.minibatchSize > config.nSteps) {
		throw new RangeError(`minibatchSize (${config.minibatchSize}) must not exceed nSteps (${config.nSteps})`);
	}
	return config;
}
