/**
 * SAC presets that belong to an action spec (like ppo/presets.ts): applied only when the first
 * actor's HANDSHAKE declares the action they were made for, for keys the user left out.
 */
import type { VectorSpec } from '../protocol/index.ts';
import { OptionsError } from '../options/index.ts';
import { perSecondDiscounts, presetFor, specProblem, withPreset } from '../ppo/presets.ts';
import { SAC_OPTIONS, type SacConfig } from './config.ts';

export interface SacPreset {
	name: string;
	/** The untrained policy's deterministic action, by dimension name (inside the bounds). */
	actionMeans: Readonly<Record<string, number>>;
	sac: Readonly<Partial<SacConfig>>;
}

/**
 * Driving (bridge-agent/src/rl/spaces.ts: steer [−1, 1], throttle and brake [0, 1]): an untrained
 * policy that rolls forward on half throttle and (almost) no brake, so the first minute is spent
 * driving, not standing; 3-step returns as assetto_corsa_gym; and α starting at 0.01, not 0.2:
 * the driving reward is about 0.1 a step, and an entropy bonus of 0.2 nats⁻¹ outweighs it — the
 * actor then spreads throttle and brake towards uniform and the car stands still (measured with a
 * reward whose crash costs less than standing, docs/sac.md: every episode "stuck" within 4 k steps
 * at α 0.2; driving, and improving, at 0.01). Autotune takes over from there. Networks of 2×64:
 * four real-time cars at 25 Hz bring 100 env steps a second, so UTD 1 needs ~100 gradient steps a
 * second, which 2×256 is far from here (npm run bench -- sac); learning starts after 2 k steps.
 */
export const SAC_DRIVING_PRESET: SacPreset = {
	name: 'driving',
	actionMeans: { steer: 0, throttle: 0.5, brake: 0.02 },
	sac: { nStep: 3, alpha: 0.01, hiddenSizes: [64, 64], learningStarts: 2000 }
};

export const SAC_PRESETS: readonly SacPreset[] = [SAC_DRIVING_PRESET];

/**
 * The driving reward SAC trains with (bridge-agent's --reward settings): off the track ends the
 * episode after 0.5 s (not 1.5), 0.05 per tyre off (not 0.1), a crash costs 2 (not 5). With the
 * agent's defaults a car must roll 77 m before it leaves the track to beat standing still until
 * terminated as stuck (discounted), the untrained policy's episodes average −12.2 against −5, and
 * SAC's critic learns to stand still; with these the break-even is 29 m, the episodes average
 * +2.1 against −2, and the tyre penalty still keeps laps clean (docs/sac.md). PPO keeps the
 * defaults it was tuned on. The main job's simulated agents get it in SAC runs; an AC agent is
 * started with it by hand (--reward).
 */
export const SAC_DRIVING_REWARD: Readonly<Record<string, number>> = Object.freeze({ offTrackSec: 0.5, tyreOutPenalty: 0.05, crashPenalty: 2 });

/**
 * The SAC overrides a run with these specs trains with: the user's (`--sac`), plus the preset of
 * the action spec for every key the user left out (γ per second at the first actor's `controlHz`); or why the combination cannot train.
 */
export function sacConfigFor(
	userSac: Partial<SacConfig>,
	obsSpec: VectorSpec,
	actionSpec: VectorSpec,
	controlHz?: number
): { config: Partial<SacConfig> } | { error: string } {
	const problem = specProblem(obsSpec, actionSpec);
	if (problem) return { error: problem };
	for (let i = 0; i < actionSpec.dim; i++) {
		const [low, high] = [actionSpec.low[i], actionSpec.high[i]];
		if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
			return { error: `SAC squashes actions into their bounds: action ${actionSpec.names[i]} needs finite bounds with high > low, has [${low}, ${high}]` };
		}
	}
	try {
		SAC_OPTIONS.parse(userSac);
	} catch (error) {
		if (error instanceof OptionsError) return { error: error.message };
		throw error;
	}
	const preset = presetFor(actionSpec, SAC_PRESETS);
	const config = withPreset(userSac, preset && { actionMeans: preset.actionMeans, settings: preset.sac }, actionSpec);
	if (preset) Object.assign(config, perSecondDiscounts(userSac, { gamma: SAC_OPTIONS.defaults().gamma }, controlHz));
	const mean = config.initActionMean ?? [];
	if (mean.length > 0 && mean.length !== actionSpec.dim) {
		return { error: `SAC setting initActionMean has ${mean.length} values but the action has ${actionSpec.dim} (${actionSpec.names.join(', ')})` };
	}
	for (let i = 0; i < mean.length; i++) {
		if (!(mean[i] > actionSpec.low[i] && mean[i] < actionSpec.high[i])) {
			return { error: `SAC setting initActionMean[${i}] = ${mean[i]} must lie strictly inside [${actionSpec.low[i]}, ${actionSpec.high[i]}]` };
		}
	}
	return { config };
}
