/** Gymnasium's Pendulum-v1 dynamics (classic_control/pendulum.py), 200-step time limit as truncation. */
import { Rng } from '../random.ts';
import type { Env, StepResult } from './env.ts';

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const G = 10;
const MASS = 1;
const LENGTH = 1;
export const PENDULUM_MAX_STEPS = 200;

const angleNormalize = (x: number) => ((((x + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;

export class Pendulum implements Env {
	readonly obsDim = 3;
	readonly actionDim = 1;
	readonly actionLow = new Float32Array([-MAX_TORQUE]);
	readonly actionHigh = new Float32Array([MAX_TORQUE]);
	private theta = 0;
	private thetaDot = 0;
	private steps = 0;
	private rng = new Rng(0);

	reset(seed?: number): Float32Array {
		if (seed !== undefined) this.rng = new Rng(seed);
		this.theta = -Math.PI + 2 * Math.PI * this.rng.next();
		this.thetaDot = -1 + 2 * this.rng.next();
		this.steps = 0;
		return this.obs();
	}

	private obs(): Float32Array {
		return new Float32Array([Math.cos(this.theta), Math.sin(this.theta), this.thetaDot]);
	}

	step(action: Float32Array): StepResult {
		const u = Math.max(-MAX_TORQUE, Math.min(MAX_TORQUE, action[0]));
		const th = this.theta;
		const cost = angleNormalize(th) ** 2 + 0.1 * this.thetaDot ** 2 + 0.001 * u * u;
		let newThetaDot = this.thetaDot + (((3 * G) / (2 * LENGTH)) * Math.sin(th) + (3 / (MASS * LENGTH * LENGTH)) * u) * DT;
		newThetaDot = Math.max(-MAX_SPEED, Math.min(MAX_SPEED, newThetaDot));
		this.theta = th + newThetaDot * DT;
		this.thetaDot = newThetaDot;
		this.steps++;
		return { obs: this.obs(), reward: -cost, terminated: false, truncated: this.steps >= PENDULUM_MAX_STEPS };
	}
}
