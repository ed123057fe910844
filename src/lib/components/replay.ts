/** A lap replay's samples in time: the state at lap time t (interpolated); the gap to another lap is ./lap-distance.ts. */
import type { LapReplay, TrackView } from '$lib/protocol';

export interface ReplayPoint {
	x: number;
	z: number;
	speedKmh: number;
	steer: number;
	throttle: number;
	brake: number;
	/** Tyres off the track at the sample nearest t (a count: not interpolated); null when the trace has none. */
	tyresOut: number | null;
}

/** Lap time the trace covers, s. */
export const traceSeconds = (r: LapReplay) => Math.max(0, r.x.length - 1) / r.hz;

export function pointAt(r: LapReplay, t: number): ReplayPoint {
	const n = r.x.length;
	const f = Math.max(0, Math.min(n - 1, t * r.hz));
	const i = Math.min(n - 2, Math.floor(f));
	const tyresOut = r.tyresOut?.[Math.round(f)] ?? null;
	if (n < 2) return { x: r.x[0], z: r.z[0], speedKmh: r.speedKmh[0], steer: r.steer[0], throttle: r.throttle[0], brake: r.brake[0], tyresOut };
	const w = f - i;
	const lerp = (a: number[]) => a[i] + (a[i + 1] - a[i]) * w;
	return { x: lerp(r.x), z: lerp(r.z), speedKmh: lerp(r.speedKmh), steer: lerp(r.steer), throttle: lerp(r.throttle), brake: lerp(r.brake), tyresOut };
}

/** A track to draw a replay on when the run has no TRACK for it: the lap's own line, 6 m half-width. */
export function trackOfTrace(r: LapReplay): TrackView {
	let length = 0;
	for (let i = 1; i < r.x.length; i++) length += Math.hypot(r.x[i] - r.x[i - 1], r.z[i] - r.z[i - 1]);
	return { name: r.lap.track || 'unknown track', lengthM: Math.max(1, length), halfWidthM: 6, x: r.x, z: r.z, sectors: [] };
}
