/**
 * The simulated car as a PPO environment (src/lib/ppo's Env), stepping exactly as the agent does
 * (same smoothing, observation, reward and episode ends), for in-process training and tuning.
 */
import type { Env, StepResult } from '../../../src/lib/ppo/envs/env.ts';
import { toControls } from '../control/smoothing.ts';
import { Track } from '../driving/track.ts';
import { SimWorld } from '../sim/sim-world.ts';
import { Driving } from './driving.ts';
import { OBS_DIM } from './observation.ts';
import type { RewardConfig } from './reward.ts';
import { ACTION_DIM, ACTION_HIGH, ACTION_LOW } from './spaces.ts';

export interface SimEnvOptions {
	track: string;
	seed: number;
	controlHz: number;
	smoothing: string;
	start?: 'line' | 'random';
	reward?: Partial<RewardConfig>;
}

export class SimDrivingEnv implements Env {
	readonly obsDim = OBS_DIM;
	readonly actionDim = ACTION_DIM;
	readonly actionLow = Float32Array.from(ACTION_LOW);
	readonly actionHigh = Float32Array.from(ACTION_HIGH);
	readonly world: SimWorld;
	private readonly driving: Driving;
	/** The last finished episode's end reason and clean laps. */
	last = { reason: '', cleanLaps: [] as number[], distance: 0 };

	constructor(o: SimEnvOptions) {
		this.world = new SimWorld(Track.named(o.track), o.seed, o.start ?? 'random');
		this.driving = new Driving(this.world, o.smoothing, 1 / o.controlHz, o.reward);
	}

	reset(): Float32Array {
		void this.world.reset();
		this.driving.restart();
		return Float32Array.from(this.driving.obs);
	}

	step(action: Float32Array): StepResult {
		const outcome = this.driving.step(toControls(action).controls);
		if (outcome.terminated || outcome.truncated) {
			const sim = this.world.sim;
			this.last = { reason: outcome.reason, cleanLaps: [...sim.cleanLapTimes], distance: sim.completedLaps * this.world.track.length + sim.distance };
		}
		return { obs: Float32Array.from(this.driving.obs), reward: outcome.reward, terminated: outcome.terminated, truncated: outcome.truncated };
	}
}
