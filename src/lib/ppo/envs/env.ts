/**
 * The small environment interface the local runner trains on. Anything that can reset and step
 * with a float action vector plugs in: the reference tasks here, or a simulated car.
 */
export interface StepResult {
	obs: Float32Array;
	reward: number;
	/** Reached a terminal state: no future reward, no bootstrap. */
	terminated: boolean;
	/** Stopped by a time limit: the future still had value (bootstrap from obs). */
	truncated: boolean;
}

export interface Env {
	readonly obsDim: number;
	readonly actionDim: number;
	/** Actions are clipped to [actionLow, actionHigh] before `step` sees them. */
	readonly actionLow: Float32Array;
	readonly actionHigh: Float32Array;
	/** Starts an episode; a seed makes it reproducible. */
	reset(seed?: number): Float32Array;
	step(action: Float32Array): StepResult;
}

export type EnvFactory = (index: number) => Env;
