/**
 * What the policy sees: the seed document's 15 telemetry features (normalised as the original did)
 * plus what driving needs — lap progress, speed along the track, lateral offset and heading error
 * against the track line, and the line's curvature at five look-ahead distances. 25 floats.
 */
import { yawFromAcHeading } from '../ac/heading.ts';
import type { Track } from '../driving/track.ts';
import type { Snapshot } from '../sources/ac-reader.ts';

export const LOOKAHEAD_M = [10, 30, 60, 100, 150] as const;

export const OBS_NAMES = [
	'speed',
	'velocity_x',
	'velocity_y',
	'velocity_z',
	'gas',
	'brake',
	'steer',
	'rpm',
	'gear',
	'acc_x',
	'acc_y',
	'acc_z',
	'wheel_slip',
	'tyres_out',
	'damaged',
	'lap_progress',
	'speed_along_track',
	'lateral_offset',
	'heading_error_sin',
	'heading_error_cos',
	...LOOKAHEAD_M.map((m) => `curvature_${m}m`)
] as const;
export const OBS_DIM = OBS_NAMES.length;

/** Where the car is relative to the track line. */
export interface TrackPosition {
	distance: number;
	lateral: number;
	/** Angle between the car's direction of travel and the line, rad (0 = along it). */
	headingError: number;
	speedAlong: number;
	index: number;
}

/** Locates the car on the line; `hint` is the previous index (keeps it O(1) per step). */
export function trackPosition(snapshot: Snapshot, track: Track, hint: number): TrackPosition {
	const [x, , z] = snapshot.graphics.carCoordinates;
	const where = hint < 0 ? { ...track.locate(x, z, track.locateGlobal(x, z), 2) } : track.locate(x, z, hint);
	const [vx, , vz] = snapshot.physics.velocity;
	const speed = Math.hypot(vx, vz);
	// Direction of travel from the velocity when moving, else the car's heading (AC's convention, converted).
	const travel = speed > 1 ? Math.atan2(vz, vx) : yawFromAcHeading(snapshot.physics.heading);
	const diff = travel - track.heading[where.index];
	const headingError = Math.atan2(Math.sin(diff), Math.cos(diff));
	return { distance: where.distance, lateral: where.lateral, headingError, speedAlong: speed * Math.cos(headingError), index: where.index };
}

/** Fills `out` (allocation-free: it runs every control period); non-finite features become 0. */
export function observe(snapshot: Snapshot, track: Track, at: TrackPosition, out: Float32Array = new Float32Array(OBS_DIM)): Float32Array {
	const p = snapshot.physics;
	const velocity = p.velocity;
	const acc = p.accG;
	const slip = p.wheelSlip;
	const damage = p.carDamage;
	out[0] = p.speedKmh / 300;
	out[1] = velocity[0] / 100;
	out[2] = velocity[1] / 100;
	out[3] = velocity[2] / 100;
	out[4] = p.gas;
	out[5] = p.brake;
	out[6] = p.steerAngle;
	out[7] = p.rpms / 10000;
	out[8] = p.gear / 6;
	out[9] = acc[0] / 3;
	out[10] = acc[1] / 3;
	out[11] = acc[2] / 3;
	out[12] = (slip[0] + slip[1] + slip[2] + slip[3]) / 8;
	out[13] = p.numberOfTyresOut / 4;
	out[14] = damage[0] > 0.05 || damage[1] > 0.05 || damage[2] > 0.05 || damage[3] > 0.05 || damage[4] > 0.05 ? 1 : 0;
	out[15] = at.distance / track.length;
	out[16] = at.speedAlong / 80;
	out[17] = at.lateral / track.halfWidth;
	out[18] = Math.sin(at.headingError);
	out[19] = Math.cos(at.headingError);
	for (let k = 0; k < LOOKAHEAD_M.length; k++) out[20 + k] = track.curvatureAhead(at.distance + LOOKAHEAD_M[k], 10) * 50;
	for (let i = 0; i < OBS_DIM; i++) if (!Number.isFinite(out[i])) out[i] = 0;
	return out;
}
