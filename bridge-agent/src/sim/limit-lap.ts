/**
 * The limit lap of a track: the lap time the simulated car (car.ts) could do on the track's centre
 * line at the limit of its grip, power and brakes — the yardstick a learned lap is compared with
 * (bestLapSec / limitLapSec). A quasi-steady-state velocity profile:
 *
 * 1. Curvature κ at every centre-line point from it and its two neighbours (Menger curvature: one
 *    over the radius of the circle through the three points). The built-in lines are smooth (dense
 *    samples of an analytic curve), so by default nothing is smoothed; a recorded line (fromPoints)
 *    can be, with `smoothing` (curvature over a wider stencil, then a moving average; see
 *    mengerCurvature).
 * 2. Corner limit v_max = √(a_lat / |κ|), capped at the car's top speed (where drive force equals
 *    drag plus rolling resistance). With the car's static axle loads the front tyres saturate at
 *    a_lat = μ·g and the rears (rearGripFactor ≥ 1) later, so a_lat = μ·g·min(1, rearGripFactor).
 * 3. Forward pass (acceleration): drive force min(maxDriveForceN, maxPowerW / v), at the rear axle
 *    only (the car is rear-driven), limited by what the rear friction circle leaves after the
 *    rear's share of the cornering force (Fx² + Fy² ≤ (μ·rearGripFactor·Fz_rear)², as car.ts
 *    scales its tyre forces), minus drag·v² and rolling resistance.
 * 4. Backward pass (braking): brake force up to maxBrakeForceN, split by brakeBiasFront as car.ts
 *    does, each axle within its own friction circle after its cornering share, plus drag and
 *    rolling resistance.
 * 5. Lap time Σ 2·ds / (v_i + v_i+1) (exact for constant acceleration over a segment). The lap is
 *    closed: the passes start at the slowest corner and go round until the profile repeats, so the
 *    start/finish line is a flying point like any other.
 *
 * `grip: 'circle'` replaces the axle friction circles by one for the whole car,
 * a_long ≤ √((μ·g)² − (v²·κ)²): simpler, but at the cornering limit it leaves nothing to overcome
 * drag, so the car cannot hold a corner at v_max, which the real car can (its rear tyres have grip
 * to spare when the fronts saturate), and it brakes the whole car at up to μ·g. Kept for
 * comparison: within 0.2 % of the default on the named tracks.
 *
 * Assumptions, each of which a real lap can beat or miss:
 * - Full grip everywhere (muTrack, no grass), static axle loads (car.ts models no load transfer).
 * - No slip-angle cost: cornering forces at a slip angle dissipate power (F_y·v·sin α, the
 *   rearward component of the steered front tyre's force in car.ts), and this tyre's peak is at a
 *   large slip (≈ 0.26 rad at the front). `slipCost` charges it: on the named tracks it adds 0.0 s
 *   (oval) and 0.7 s (mixed, whose fast sweepers become power-limited). Transient yaw dynamics and
 *   the steering lock (0.3 rad, about what the 22 m hairpin needs at the limit) are ignored too.
 *   These make the real car slower than the model.
 * - The front brakes stay within their friction circle (≤ μ·Fz_front: 13.4 kN of the 14 kN), while
 *   car.ts does not clamp the front brake force in a straight line (it only takes the fronts'
 *   lateral grip away): straight-line braking in the sim reaches 11.2 m/s², the model 10.7 m/s².
 * - The centre line, not the racing line: a lap that uses the track's width (a larger radius
 *   through the corners, a shorter way round) can beat the limit lap, and sim-car.ts times laps by
 *   crossing the line, whatever the path. A rough minimum-curvature line 1.2 m inside the edges,
 *   run through this same model (an estimate made once, not part of this module), was about 5 %
 *   faster on both named tracks (oval 33.4 s against 35.4 s, mixed 45.0 s against 47.4 s): a
 *   learned lap can come in below 1 × the limit lap.
 */
import type { Track } from '../driving/track.ts';
import { DEFAULT_CAR, G, type CarParams } from './car.ts';

export interface LimitLapOptions {
	/** The car, default the simulated one. */
	car?: CarParams;
	/** Tyre–road friction, default car.muTrack. */
	mu?: number;
	/**
	 * Curvature smoothing window w in centre-line points (1 = none, the default; about 21 for a
	 * recorded line): Menger curvature over points (w − 1)/2 apart, averaged over w points.
	 */
	smoothing?: number;
	/** Friction model: per axle as car.ts (default) or one circle for the whole car. */
	grip?: 'axles' | 'circle';
	/**
	 * Charge the tyres' slip-angle drag (F_y·sin α per axle, α from inverting car.ts's tyre curve for
	 * the cornering force needed, in pure cornering: the extra slip a driven rear needs is not
	 * counted): off by default, the limit lap assumes none.
	 */
	slipCost?: boolean;
}

export interface LimitLap {
	lapSec: number;
	/** Speed at each centre-line point, m/s. */
	profile: Float64Array;
	/** Cornering limit at each point (before acceleration and braking), m/s. */
	cornerLimit: Float64Array;
	minSpeed: number;
	maxSpeed: number;
	/** Length of the closed centre line (sum of its segments), m. */
	lengthM: number;
	/** The car's top speed on a straight, m/s. */
	topSpeed: number;
}

/**
 * Signed Menger curvature (1/m, positive turning left) at each point of a closed polyline: of the
 * circle through the point and its neighbours. With `smoothing` = w > 1 the neighbours are the
 * points (w − 1)/2 away, and the result is averaged over w points: noise in a recorded line is
 * amplified by 1/spacing², a wider stencil divides that by its width squared, the average by more.
 * A circle reads the same at any w.
 */
export function mengerCurvature(x: ArrayLike<number>, y: ArrayLike<number>, smoothing = 1): Float64Array {
	const n = x.length;
	const half = Math.max(0, Math.min(Math.floor((n - 1) / 2), Math.floor((Math.round(smoothing) - 1) / 2)));
	const h = Math.max(1, half);
	const raw = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		const a = (i - h + n) % n;
		const c = (i + h) % n;
		const cross = (x[i] - x[a]) * (y[c] - y[i]) - (y[i] - y[a]) * (x[c] - x[i]);
		const sides = Math.hypot(x[i] - x[a], y[i] - y[a]) * Math.hypot(x[c] - x[i], y[c] - y[i]) * Math.hypot(x[c] - x[a], y[c] - y[a]);
		raw[i] = sides > 0 ? (2 * cross) / sides : 0;
	}
	if (half === 0) return raw;
	const smooth = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		let sum = 0;
		for (let k = -half; k <= half; k++) sum += raw[(((i + k) % n) + n) % n];
		smooth[i] = sum / (2 * half + 1);
	}
	return smooth;
}

/** Longitudinal acceleration available on throttle and deceleration on the brakes at speed v, curvature κ. */
interface Limits {
	accel(v: number, kappa: number): number;
	decel(v: number, kappa: number): number;
	lateral: number;
	topSpeed: number;
}

function limits(p: CarParams, mu: number, grip: 'axles' | 'circle', slipCost: boolean): Limits {
	const wheelbase = p.lf + p.lr;
	// Static axle loads and each axle's friction limit, as car.ts computes them.
	const gripFront = (mu * p.mass * G * p.lr) / wheelbase;
	const gripRear = (mu * p.rearGripFactor * p.mass * G * p.lf) / wheelbase;
	const lateral = grip === 'axles' ? mu * G * Math.min(1, p.rearGripFactor) : mu * G;
	/** Slip angle at which a tyre gives `share` of its peak lateral force (car.ts: F = μ·Fz·sin(C·atan(B·α))). */
	const slip = (share: number, b: number) => Math.tan(Math.asin(Math.min(1, share)) / p.tyreC) / b;
	/** Power the cornering forces dissipate in tyre slip, as a force along the path. */
	const slipDrag = (ay: number) => {
		if (!slipCost || ay === 0) return 0;
		const fyFront = (p.mass * ay * p.lr) / wheelbase;
		const fyRear = (p.mass * ay * p.lf) / wheelbase;
		return fyFront * Math.sin(slip(fyFront / gripFront, p.tyreBFront)) + fyRear * Math.sin(slip(fyRear / gripRear, p.tyreBRear));
	};
	// car.ts's resistance, its rolling term fading to 0 at rest (tanh) as there.
	const resist = (v: number, kappa = 0) => p.dragCoef * v * v + p.rollingCoef * p.mass * G * Math.tanh(v * 2) + slipDrag(v * v * Math.abs(kappa));
	const drive = (v: number) => Math.min(p.maxDriveForceN, p.maxPowerW / Math.max(v, 1));
	/** What a friction circle of radius `limit` leaves for Fx after lateral force fy. */
	const left = (limit: number, fy: number) => Math.sqrt(Math.max(0, limit * limit - fy * fy));
	const longitudinalGrip =
		grip === 'axles'
			? {
					drive: (ay: number) => left(gripRear, (p.mass * ay * p.lf) / wheelbase),
					brake: (ay: number) => {
						const front = p.brakeBiasFront > 0 ? left(gripFront, (p.mass * ay * p.lr) / wheelbase) / p.brakeBiasFront : Infinity;
						const rear = p.brakeBiasFront < 1 ? left(gripRear, (p.mass * ay * p.lf) / wheelbase) / (1 - p.brakeBiasFront) : Infinity;
						return Math.min(front, rear);
					}
				}
			: {
					drive: (ay: number) => p.mass * left(mu * G, ay),
					brake: (ay: number) => p.mass * left(mu * G, ay)
				};
	let lo = 0;
	let hi = 1000;
	for (let i = 0; i < 100; i++) {
		const mid = (lo + hi) / 2;
		if (drive(mid) > resist(mid)) lo = mid;
		else hi = mid;
	}
	return {
		lateral,
		topSpeed: lo,
		accel: (v, kappa) => (Math.min(drive(v), longitudinalGrip.drive(v * v * Math.abs(kappa))) - resist(v, kappa)) / p.mass,
		decel: (v, kappa) => (Math.min(p.maxBrakeForceN, longitudinalGrip.brake(v * v * Math.abs(kappa))) * Math.tanh(v * 2) + resist(v, kappa)) / p.mass
	};
}

/** Speed after ds metres from v, with acceleration a(v, κ) from curvature kFrom to kTo: Heun's method in v². */
function advance(a: (v: number, kappa: number) => number, v: number, kFrom: number, kTo: number, ds: number): number {
	const a1 = a(v, kFrom);
	const guess = Math.sqrt(Math.max(0, v * v + 2 * a1 * ds));
	return Math.sqrt(Math.max(0, v * v + ds * (a1 + a(guess, kTo))));
}

/**
 * Sweeps `step(i, previous)` around the closed loop from `start`, a lap at a time in `direction`,
 * until the value at the start repeats: then every point's value comes from a consistent lap.
 */
function sweep(v: Float64Array, start: number, direction: 1 | -1, step: (i: number, previous: number) => number): void {
	const n = v.length;
	for (let lap = 0; lap < 20; lap++) {
		const before = v[start];
		for (let k = 1; k <= n; k++) {
			const i = (((start + direction * k) % n) + n) % n;
			v[i] = step(i, (i - direction + n) % n);
		}
		if (lap > 0 && Math.abs(v[start] - before) < 1e-9) return;
	}
}

export function limitLap(track: Track, options: LimitLapOptions = {}): LimitLap {
	const car = options.car ?? DEFAULT_CAR;
	const mu = options.mu ?? car.muTrack;
	const { accel, decel, lateral, topSpeed } = limits(car, mu, options.grip ?? 'axles', options.slipCost ?? false);
	const { x, y } = track;
	const n = x.length;
	const kappa = mengerCurvature(x, y, options.smoothing);
	/** ds[i]: from point i to point i + 1. */
	const ds = new Float64Array(n);
	for (let i = 0; i < n; i++) ds[i] = Math.hypot(x[(i + 1) % n] - x[i], y[(i + 1) % n] - y[i]);

	const cornerLimit = new Float64Array(n);
	let slowest = 0;
	for (let i = 0; i < n; i++) {
		cornerLimit[i] = Math.min(topSpeed, Math.sqrt(lateral / Math.max(Math.abs(kappa[i]), 1e-12)));
		if (cornerLimit[i] < cornerLimit[slowest]) slowest = i;
	}
	const forward = Float64Array.from(cornerLimit);
	sweep(forward, slowest, 1, (i, prev) => Math.min(cornerLimit[i], advance(accel, forward[prev], kappa[prev], kappa[i], ds[prev])));
	const profile = Float64Array.from(forward);
	// Backwards from each point, braking: the speed one may carry into it.
	sweep(profile, slowest, -1, (i, next) => Math.min(forward[i], advance(decel, profile[next], kappa[next], kappa[i], ds[i])));

	let lapSec = 0;
	let lengthM = 0;
	for (let i = 0; i < n; i++) {
		lapSec += (2 * ds[i]) / (profile[i] + profile[(i + 1) % n]);
		lengthM += ds[i];
	}
	let minSpeed = Infinity;
	let maxSpeed = 0;
	for (const v of profile) {
		minSpeed = Math.min(minSpeed, v);
		maxSpeed = Math.max(maxSpeed, v);
	}
	return { lapSec, profile, cornerLimit, minSpeed, maxSpeed, lengthM, topSpeed };
}
