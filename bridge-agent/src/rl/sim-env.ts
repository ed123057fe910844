/**
 * The simulated car as a PPO environment (src/lib/ppo's Env), stepping exactly as the agent does
 * (same smoothing, observation, reward and episode ends), for in-process training and tuning.
 */
import type { Env, StepResult } from '../../../src/lib/ppo/envs/env.ts';
import { toControls } from '../control/smoothing.ts';
import { Track, TRACKS } from '../sim/track.ts';
import { SimWorld } from '../world.ts';
import { Driving } from './driving.ts';
import { OBS_DIM } from './observation.ts';
import type { RewardConfig } from './reward.ts';

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
	readonly actionDim = 3;
	readonly actionLow = Float32Array.of(-1, 0, 0);
	readonly actionHigh = Float32Array.of(1, 1, 1);
	readonly world: SimWorld;
	private readonly driving: Driving;
	/** The last finished episode's end reason and clean laps. */
	last = { reason: '', cleanLaps: [] as number[], distance: 0 };

	constructor(o: SimEnvOptions) {
		const def = TRACKS[o.track];
		if (!def) throw new Error(`unknown track "${o.track}"`);
		this.world = new SimWorld(new Track(def), o.seed, o.start ?? 'random');
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
