/**
 * PPO presets that belong to an action spec, not to the learner: the learner's defaults know
 * nothing about any car, and a preset applies only when the first actor's HANDSHAKE declares the
 * action it was tuned for. The runtime calls `trainerConfigFor` at that handshake and refuses the
 * actor (ERROR) with the returned message when the combination cannot train.
 */
import type { VectorSpec } from '../protocol/index.ts';
import { OptionsError } from '../options/index.ts';
import { PPO_OPTIONS, type PpoConfig } from './config.ts';

export interface PpoPreset {
	name: string;
	/** The action it is for, by dimension name (any order): the initial mean action of each. */
	actionMeans: Readonly<Record<string, number>>;
	/** Other settings, applied where the user did not set them. */
	ppo: Readonly<Partial<PpoConfig>>;
}

/**
 * Driving (bridge-agent/src/rl/spaces.ts: steer in [−1, 1], throttle and brake in [0, 1]), from the
 * tuning runs in docs/driving.md: a narrower start (std e^−0.5 ≈ 0.6), a small entropy bonus that
 * keeps exploring past the first corners, and an untrained policy that leans on the throttle
 * rather than the brake, so the first minute is spent driving, not standing.
 */
export const DRIVING_PRESET: PpoPreset = {
	name: 'driving',
	actionMeans: { steer: 0, throttle: 0.5, brake: -0.5 },
	ppo: { initLogStd: -0.5, entCoef: 0.005 }
};

export const PPO_PRESETS: readonly PpoPreset[] = [DRIVING_PRESET];

/** The control rate the driving presets were tuned at (the agent's default --control-hz). */
export const PRESET_HZ = 20;

/**
 * Per-step discounts for an actor stepping at `controlHz` instead of PRESET_HZ, for each key the
 * user left out: the same horizon in seconds, d^(PRESET_HZ / controlHz) for a default d (at 25 Hz
 * γ 0.99 → 0.992: 125 steps, 5 s, as 100 steps are at 20 Hz). A car at 25 Hz with 20 Hz's γ
 * looks 20 % less far ahead in time.
 */
export function perSecondDiscounts<C>(user: Partial<C>, defaults: Partial<Record<keyof C, number>>, controlHz: number | undefined): Partial<C> {
	if (!controlHz || controlHz === PRESET_HZ) return {};
	const out: Partial<C> = {};
	for (const [key, d] of Object.entries(defaults) as [keyof C, number][]) {
		if (user[key] === undefined) Object.assign(out, { [key]: Number((d ** (PRESET_HZ / controlHz)).toFixed(6)) });
	}
	return out;
}

/** The preset (of any algorithm) whose action names are exactly the spec's (in any order), if any. */
export function presetFor<P extends { actionMeans: Readonly<Record<string, number>> }>(actionSpec: VectorSpec, presets: readonly P[]): P | undefined {
	const names = new Set(actionSpec.names);
	return presets.find((preset) => {
		const own = Object.keys(preset.actionMeans);
		return names.size === actionSpec.names.length && own.length === names.size && own.every((name) => names.has(name));
	});
}

/** Why a HANDSHAKE's specs cannot train at all (no dimensions, names that do not match dim), if so. */
export function specProblem(obsSpec: VectorSpec, actionSpec: VectorSpec): string | undefined {
	for (const [what, spec] of [
		['observation', obsSpec],
		['action', actionSpec]
	] as const) {
		if (!Number.isInteger(spec.dim) || spec.dim < 1) return `the ${what} spec has no dimensions (dim ${spec.dim})`;
		if (spec.names.length !== spec.dim) return `the ${what} spec names ${spec.names.length} dimensions but has dim ${spec.dim}`;
	}
	return undefined;
}

/**
 * The user's settings over a preset's: the preset's settings and its initial mean action (one per
 * action dimension, by name) for every key the user left out. Either algorithm's.
 */
export function withPreset<C extends { initActionMean: number[] }>(
	user: Partial<C>,
	preset: { actionMeans: Readonly<Record<string, number>>; settings: Readonly<Partial<C>> } | undefined,
	actionSpec: VectorSpec
): Partial<C> {
	const config: Partial<C> = {};
	if (preset) {
		for (const [key, value] of Object.entries(preset.settings)) if (user[key as keyof C] === undefined) Object.assign(config, { [key]: value });
		if (user.initActionMean === undefined) config.initActionMean = actionSpec.names.map((name) => preset.actionMeans[name]);
	}
	return Object.assign(config, Object.fromEntries(Object.entries(user).filter(([, value]) => value !== undefined)));
}

/**
 * The PPO overrides a run with these specs trains with: the user's (`--ppo`), plus the preset of
 * the action spec for every key the user left out (its discounts per second at the first actor's
 * `controlHz`). An error says why the combination cannot
 * train (a bad setting, an initial mean action of another size than the action, an empty spec).
 */
export function trainerConfigFor(
	userPpo: Partial<PpoConfig>,
	obsSpec: VectorSpec,
	actionSpec: VectorSpec,
	controlHz?: number
): { config: Partial<PpoConfig> } | { error: string } {
	const problem = specProblem(obsSpec, actionSpec);
	if (problem) return { error: problem };
	try {
		PPO_OPTIONS.parse(userPpo);
		const problem = PPO_OPTIONS.problem(userPpo);
		if (problem) return { error: problem };
	} catch (error) {
		if (error instanceof OptionsError) return { error: error.message };
		throw error;
	}
	const preset = presetFor(actionSpec, PPO_PRESETS);
	const config = withPreset(userPpo, preset && { actionMeans: preset.actionMeans, settings: preset.ppo }, actionSpec);
	const { gamma, gaeLambda } = PPO_OPTIONS.defaults();
	if (preset) Object.assign(config, perSecondDiscounts(userPpo, { gamma, gaeLambda }, controlHz));
	const mean = config.initActionMean ?? [];
	if (mean.length > 0 && mean.length !== actionSpec.dim) {
		return {
			error:
				`PPO setting initActionMean has ${mean.length} values (${JSON.stringify(mean)}) but the action has ${actionSpec.dim} ` +
				`(${actionSpec.names.join(', ')}): give one per action dimension, or [] for zeros`
		};
	}
	return { config };
}
