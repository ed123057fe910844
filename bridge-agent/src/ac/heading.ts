/**
 * AC's `physics.heading` convention and the agent's. AC writes heading = atan2(−forward.x,
 * forward.z) in its world frame (x/z on the ground, y up): 0 facing +z, −π/2 facing +x
 * (ac-facts.md). The agent, the track line and the simulated car measure a direction in the x/z
 * plane as yaw = atan2(z, x) — what atan2(vz, vx) of the velocity gives. The two differ by a
 * quarter turn: yaw = heading + π/2. A fallback from one to the other must convert.
 */
const wrap = (angle: number) => Math.atan2(Math.sin(angle), Math.cos(angle));

/** AC's heading of a car whose forward direction has yaw atan2(forward.z, forward.x). */
export function acHeadingFromYaw(yaw: number): number {
	return wrap(yaw - Math.PI / 2);
}

/** The yaw (atan2(z, x), the velocity's convention) of AC's heading. */
export function yawFromAcHeading(heading: number): number {
	return wrap(heading + Math.PI / 2);
}
