/**
 * A scripted driver that knows the track: pure-pursuit steering and a speed plan from the
 * curvature ahead (corner speed √(μ·g/κ), braking distance). It proves the simulated car can lap,
 * gives tests a known-good driver, and stands in while no policy has arrived.
 */
import type { Controls } from '../driving/controls.ts';
import type { Track } from '../driving/track.ts';

export interface DriverState {
	x: number;
	y: number;
	yaw: number;
	speed: number;
	distance: number;
	/** Signed offset from the centre line, m (positive = left). */
	lateral: number;
}

export class ReferenceDriver {
	constructor(
		private readonly track: Track,
		/** Fraction of the grip the plan dares to use. */
		private readonly grip = 0.55,
		private readonly brakeDecel = 5
	) {}

	private targetSpeed(distance: number): number {
		let target = 70;
		for (let ahead = 0; ahead <= 200; ahead += 5) {
			const curvature = Math.abs(this.track.curvatureAhead(distance + ahead, 10));
			const corner = Math.sqrt((this.grip * 1.2 * 9.81) / Math.max(curvature, 1e-4));
			target = Math.min(target, Math.sqrt(corner * corner + 2 * this.brakeDecel * ahead));
		}
		return target;
	}

	controls(s: DriverState): Controls {
		const lookahead = 8 + s.speed * 0.6;
		const i = this.track.index(s.distance + lookahead);
		const bearing = Math.atan2(this.track.y[i] - s.y, this.track.x[i] - s.x) - s.yaw;
		const alpha = Math.atan2(Math.sin(bearing), Math.cos(bearing));
		// Pure pursuit: road-wheel angle atan(2·L·sin α / lookahead), as a fraction of full lock (0.3 rad).
		// plus a little lateral-offset feedback for the slip the geometry ignores.
		const steer = Math.max(-1, Math.min(1, Math.atan((2 * 2.65 * Math.sin(alpha)) / lookahead) / 0.3 - 0.08 * s.lateral));
		const target = this.targetSpeed(s.distance);
		const error = target - s.speed;
		return { steer, throttle: error > 0 ? Math.min(0.7, error * 0.3) : 0, brake: error < -1 ? Math.min(1, -error * 0.2) : 0 };
	}
}
