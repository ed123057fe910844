/**
 * Which trainer a run starts for its first actor: the algorithm (`--algo`), the user's settings
 * for it (`--ppo` / `--sac`) plus the presets of the actor's action spec, and how the store is
 * shaped for it — or the error to refuse the actor with when the combination cannot train.
 */
import type { VectorSpec } from '../../protocol/index.ts';
import { resolvePpoConfig } from '../../ppo/config.ts';
import { trainerConfigFor } from '../../ppo/presets.ts';
import { sacConfigFor } from '../../sac/presets.ts';
import type { LearnerOptions } from '../config.ts';
import type { TrainerChoice, TrainerSnapshot } from '../trainer/messages.ts';

export type StoreShape = Pick<TrainerSnapshot, 'updateSamples' | 'maxPolicyLag'>;

export function trainerChoiceFor(
	learner: Pick<LearnerOptions, 'algo' | 'ppo' | 'sac'>,
	obsSpec: VectorSpec,
	actionSpec: VectorSpec,
	/** The first actor's control rate: a preset's discounts are kept per second. */
	controlHz?: number
): { choice: TrainerChoice; shape: StoreShape } | { error: string } {
	if (learner.algo === 'sac') {
		const made = sacConfigFor(learner.sac ?? {}, obsSpec, actionSpec, controlHz);
		if ('error' in made) return made;
		return { choice: { algo: 'sac', config: made.config }, shape: { updateSamples: 0, maxPolicyLag: null } };
	}
	const made = trainerConfigFor(learner.ppo ?? {}, obsSpec, actionSpec, controlHz);
	if ('error' in made) return made;
	const resolved = resolvePpoConfig(made.config);
	return { choice: { algo: 'ppo', config: made.config }, shape: { updateSamples: resolved.nSteps, maxPolicyLag: resolved.maxPolicyLag } };
}
