/**
 * A dynamic bicycle model of a rear-driven car (Rajamani, "Vehicle Dynamics and Control", ch. 2)
 * with a saturating tyre (simplified Pacejka: F = μ·Fz·sin(C·atan(B·α))), engine power and force
 * limits, brakes, aerodynamic drag and rolling resistance. Too much speed into a corner makes the
 * front or rear tyres saturate: the car runs wide or spins. Below 3 m/s a kinematic model takes
 * over, where the dynamic one is singular.
 */
import type { Controls } from '../driving/controls.ts';

export interface CarParams {
	mass: number;
	yawInertia: number;
	/** CG to front / rear axle, m. */
	lf: number;
	lr: number;
	/** Max road-wheel angle at full steer input, rad. */
	maxSteer: number;
	maxPowerW: number;
	maxDriveForceN: number;
	maxBrakeForceN: number;
	brakeBiasFront: number;
	/** ½·ρ·Cd·A. */
	dragCoef: number;
	rollingCoef: number;
	/** Tyre stiffness factors; a stiffer rear makes the car understeer, as road cars are set up. */
	tyreBFront: number;
	tyreBRear: number;
	tyreC: number;
	muTrack: number;
	/** Rear grip relative to the front: > 1 makes the front let go first (understeer at the limit). */
	rearGripFactor: number;
	muGrass: number;
	/** Extra drag on grass, N per m/s. */
	grassDrag: number;
	gearTopSpeedsKmh: number[];
	maxRpm: number;
	idleRpm: number;
}

export const DEFAULT_CAR: CarParams = {
	mass: 1250,
	yawInertia: 1800,
	lf: 1.2,
	lr: 1.45,
	maxSteer: 0.3,
	maxPowerW: 180_000,
	maxDriveForceN: 5000,
	maxBrakeForceN: 14_000,
	brakeBiasFront: 0.6,
	dragCoef: 0.45,
	rollingCoef: 0.015,
	tyreBFront: 8,
	tyreBRear: 13,
	tyreC: 1.4,
	muTrack: 1.2,
	rearGripFactor: 1.15,
	muGrass: 0.55,
	grassDrag: 300,
	gearTopSpeedsKmh: [60, 100, 140, 180, 225, 290],
	maxRpm: 8000,
	idleRpm: 1000
};

/** Gravity, m/s². */
export const G = 9.81;
const KINEMATIC_BELOW = 3;

export class Car {
	x = 0;
	y = 0;
	yaw = 0;
	/** Body-frame velocity, m/s. */
	vx = 0;
	vy = 0;
	yawRate = 0;
	/** Body-frame acceleration of the last step, m/s². */
	ax = 0;
	ay = 0;
	/** Front and rear slip angles of the last step, rad. */
	slipFront = 0;
	slipRear = 0;
	/** Fraction of wheels on grass (0…1), set by the track each step. */
	grass = 0;
	controls: Controls = { steer: 0, throttle: 0, brake: 0 };

	constructor(readonly p: CarParams = DEFAULT_CAR) {}

	get speed(): number {
		return Math.hypot(this.vx, this.vy);
	}

	private tyre(alpha: number, fz: number, mu: number, b: number): number {
		return mu * fz * Math.sin(this.p.tyreC * Math.atan(b * alpha));
	}

	/** Advances dt seconds (keep dt ≤ 5 ms). */
	step(dt: number): void {
		const p = this.p;
		const { steer, throttle, brake } = this.controls;
		const delta = steer * p.maxSteer;
		const wheelbase = p.lf + p.lr;
		const mu = p.muTrack * (1 - this.grass) + p.muGrass * this.grass;
		const fzFront = (p.mass * G * p.lr) / wheelbase;
		const fzRear = (p.mass * G * p.lf) / wheelbase;
		const speed = this.speed;

		const drive = throttle * Math.min(p.maxDriveForceN, p.maxPowerW / Math.max(Math.abs(this.vx), 1));
		const braking = brake * p.maxBrakeForceN * Math.tanh(this.vx * 2); // opposes motion, fades to 0 at rest
		const resist = p.dragCoef * this.vx * Math.abs(this.vx) + p.rollingCoef * p.mass * G * Math.tanh(this.vx * 2) + this.grass * p.grassDrag * this.vx;
		const fxFront = -braking * p.brakeBiasFront;
		let fxRear = drive - braking * (1 - p.brakeBiasFront);

		if (speed < KINEMATIC_BELOW) {
			// Kinematic bicycle: no tyre slip at walking pace.
			const beta = Math.atan((p.lr / wheelbase) * Math.tan(delta));
			const accel = (fxRear + fxFront - resist) / p.mass;
			const v = Math.max(0, speed + accel * dt);
			this.ax = (v - this.vx) / dt;
			this.vx = v * Math.cos(beta);
			this.vy = v * Math.sin(beta);
			this.yawRate = (v / wheelbase) * Math.cos(beta) * Math.tan(delta);
			this.ay = v * this.yawRate;
			this.slipFront = 0;
			this.slipRear = 0;
		} else {
			const alphaF = delta - Math.atan2(this.vy + p.lf * this.yawRate, Math.abs(this.vx));
			const alphaR = -Math.atan2(this.vy - p.lr * this.yawRate, Math.abs(this.vx));
			let fyFront = this.tyre(alphaF, fzFront, mu, p.tyreBFront);
			let fyRear = this.tyre(alphaR, fzRear, mu * p.rearGripFactor, p.tyreBRear);
			// Friction circle at the driven axle: longitudinal force eats lateral grip.
			const rearLimit = mu * p.rearGripFactor * fzRear;
			if (Math.abs(fxRear) > rearLimit) fxRear = Math.sign(fxRear) * rearLimit;
			fyRear *= Math.sqrt(Math.max(0, 1 - (fxRear / rearLimit) ** 2));
			const frontLimit = mu * fzFront;
			fyFront *= Math.sqrt(Math.max(0, 1 - Math.min(1, (fxFront / frontLimit) ** 2)));
			this.slipFront = alphaF;
			this.slipRear = alphaR;
			const fx = fxRear + fxFront * Math.cos(delta) - fyFront * Math.sin(delta) - resist;
			const fy = fyRear + fyFront * Math.cos(delta) + fxFront * Math.sin(delta);
			this.ax = fx / p.mass;
			this.ay = fy / p.mass;
			const yawAcc = (p.lf * (fyFront * Math.cos(delta) + fxFront * Math.sin(delta)) - p.lr * fyRear) / p.yawInertia;
			this.vx += (this.ax + this.vy * this.yawRate) * dt;
			this.vy += (this.ay - this.vx * this.yawRate) * dt;
			this.yawRate += yawAcc * dt;
			if (this.vx < 0) this.vx = 0; // no reversing: the agent has no reverse gear
		}
		const cos = Math.cos(this.yaw);
		const sin = Math.sin(this.yaw);
		this.x += (this.vx * cos - this.vy * sin) * dt;
		this.y += (this.vx * sin + this.vy * cos) * dt;
		this.yaw += this.yawRate * dt;
	}

	/** 1-based gear for the current speed (automatic gearbox), 1 = first. */
	gear(): number {
		const kmh = this.vx * 3.6;
		const index = this.p.gearTopSpeedsKmh.findIndex((top) => kmh < top * 0.97);
		return index < 0 ? this.p.gearTopSpeedsKmh.length : index + 1;
	}

	rpm(): number {
		const top = this.p.gearTopSpeedsKmh[this.gear() - 1];
		return Math.round(Math.max(this.p.idleRpm, Math.min(this.p.maxRpm, ((this.vx * 3.6) / top) * this.p.maxRpm)));
	}
}
