/**
 * Gymnasium's CartPole-v1 dynamics (classic_control/cartpole.py, Euler integration), with a
 * continuous action: push right when action[0] > 0, left otherwise. 500-step time limit as
 * truncation.
 */
import { Rng } from '../random.ts';
import type { Env, StepResult } from './env.ts';

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_CART + MASS_POLE;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_LIMIT_RAD = (12 * 2 * Math.PI) / 360;
const X_LIMIT = 2.4;
export const CARTPOLE_MAX_STEPS = 500;

export class CartPole implements Env {
	readonly obsDim = 4;
	readonly actionDim = 1;
	readonly actionLow = new Float32Array([-1]);
	readonly actionHigh = new Float32Array([1]);
	private state = new Float64Array(4);
	private steps = 0;
	private rng = new Rng(0);

	reset(seed?: number): Float32Array {
		if (seed !== undefined) this.rng = new Rng(seed);
		for (let i = 0; i < 4; i++) this.state[i] = -0.05 + 0.1 * this.rng.next();
		this.steps = 0;
		return Float32Array.from(this.state);
	}

	step(action: Float32Array): StepResult {
		let [x, xDot, theta, thetaDot] = this.state;
		const force = action[0] > 0 ? FORCE_MAG : -FORCE_MAG;
		const cos = Math.cos(theta);
		const sin = Math.sin(theta);
		const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * sin) / TOTAL_MASS;
		const thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4 / 3 - (MASS_POLE * cos * cos) / TOTAL_MASS));
		const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
		x += TAU * xDot;
		xDot += TAU * xAcc;
		theta += TAU * thetaDot;
		thetaDot += TAU * thetaAcc;
		this.state.set([x, xDot, theta, thetaDot]);
		this.steps++;
		const terminated = x < -X_LIMIT || x > X_LIMIT || theta < -THETA_LIMIT_RAD || theta > THETA_LIMIT_RAD;
		return { obs: Float32Array.from(this.state), reward: 1, terminated, truncated: !terminated && this.steps >= CARTPOLE_MAX_STEPS };
	}
}
