/**
 * What the policy sees and does, as the handshake declares it: the observation (see
 * observation.ts) and the action — steer in [−1, 1], throttle and brake in [0, 1].
 */
import type { VectorSpec } from '../../../src/lib/protocol/index.ts';
import { OBS_DIM, OBS_NAMES } from './observation.ts';

export const ACTION_NAMES = ['steer', 'throttle', 'brake'] as const;
export const ACTION_DIM = ACTION_NAMES.length;
export const ACTION_LOW = [-1, 0, 0] as const;
export const ACTION_HIGH = [1, 1, 1] as const;

/** Fresh spec objects for a HANDSHAKE. */
export function driveSpecs(): { obsSpec: VectorSpec; actionSpec: VectorSpec } {
	return {
		obsSpec: { dim: OBS_DIM, names: [...OBS_NAMES], low: new Float32Array(OBS_DIM).fill(-Infinity), high: new Float32Array(OBS_DIM).fill(Infinity) },
		actionSpec: { dim: ACTION_DIM, names: [...ACTION_NAMES], low: Float32Array.from(ACTION_LOW), high: Float32Array.from(ACTION_HIGH) }
	};
}
