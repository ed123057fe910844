/**
 * The gap between two laps by distance: where the main lap is at lap time t, how long the other
 * lap took to get that far. For the main lap at scrubber time t, its distance d(t); the other
 * lap's time at that same distance, t2(d), by interpolation; gap = t2(d) − t (positive: the main
 * lap is ahead — the other lap got there later).
 *
 * Distance is measured along one reference line for both laps — the track's centre line when the
 * run has the TRACK, else the main lap's own trace — by projecting every sample on it, not as each
 * lap's cumulative distance along its own trace. A lap that cuts a corner or runs wide covers a
 * different length to the same place, so own-trace distances drift apart after the first corner
 * that differs (and scaling each by its own total only spreads that error over the lap); the
 * projection gives both laps the same distance at the same place of the track. To stay robust:
 * - each sample is searched only a short way along the line from the previous one (see
 *   `follow`), so a point nearer to another part of the track (a hairpin's other leg, the crossing
 *   of a figure eight) does not jump there; only the first sample is searched on the whole line;
 * - distances are unwrapped across the line's end, the first one taken within half a lap of
 *   `near` (0 for the main lap: the line starts at the start line; the main lap's first distance
 *   for the other lap), so both laps count from the same place;
 * - a distance never decreases (a running maximum): a car that rolls back, or a projection that
 *   flips to the other side of a corner it cuts, keeps its furthest point, so t2(d) is well
 *   defined — the first time the lap reached d;
 * - a lap ends at the line, one line length past its start, at its lap time: that point is
 *   appended, so near the end (after the other lap's last sample) t2 is still interpolated.
 */

/** Points in world x, z (m), as telemetry, a TRACK and a trace give them. */
export interface Polyline {
	x: ArrayLike<number>;
	z: ArrayLike<number>;
}

/** How far back and ahead along the line the next sample is searched, m, plus a few of its steps. */
const BEHIND_M = 10;
const AHEAD_M = 30;
const AHEAD_STEPS = 4;

/** A closed reference line (the last point joins the first) and distances along it. */
export class ReferenceLine {
	/** Points (= segments: segment j runs from point j to point j + 1, mod n). */
	readonly n: number;
	readonly lengthM: number;
	/** Distance at the start of each segment, m (cum[n] = lengthM). */
	private readonly cum: Float64Array;

	constructor(private readonly line: Polyline) {
		this.n = line.x.length;
		this.cum = new Float64Array(this.n + 1);
		for (let j = 0; j < this.n; j++) {
			const k = (j + 1) % this.n;
			this.cum[j + 1] = this.cum[j] + Math.hypot(line.x[k] - line.x[j], line.z[k] - line.z[j]);
		}
		this.lengthM = this.cum[this.n];
	}

	/** Unwrapped distance at the start of segment k (any integer: k ± n is the same place a lap on). */
	private start(k: number): number {
		const j = ((k % this.n) + this.n) % this.n;
		return this.cum[j] + Math.floor(k / this.n) * this.lengthM;
	}

	/** The point of segment k nearest (x, z): its squared distance and its unwrapped distance along. */
	private onSegment(k: number, x: number, z: number): { d2: number; u: number } {
		const j = ((k % this.n) + this.n) % this.n;
		const next = (j + 1) % this.n;
		const ax = this.line.x[j];
		const az = this.line.z[j];
		const dx = this.line.x[next] - ax;
		const dz = this.line.z[next] - az;
		const len2 = dx * dx + dz * dz;
		const s = len2 > 0 ? Math.max(0, Math.min(1, ((x - ax) * dx + (z - az) * dz) / len2)) : 0;
		return { d2: (ax + s * dx - x) ** 2 + (az + s * dz - z) ** 2, u: this.start(k) + s * Math.sqrt(len2) };
	}

	/** The nearest point on the whole line, its distance in [0, lengthM). */
	nearest(x: number, z: number): { k: number; u: number } {
		let best = { k: 0, d2: Infinity, u: 0 };
		for (let k = 0; k < this.n; k++) {
			const p = this.onSegment(k, x, z);
			if (p.d2 < best.d2) best = { k, ...p };
		}
		return { k: best.k, u: best.u };
	}

	/**
	 * The nearest point within `behindM` back and `aheadM` ahead along the line from distance `u`
	 * on segment `k` (unwrapped). `aheadM` must cover the car's progress along the line between two
	 * samples (more than its straight-line step where it cuts a corner) yet stay short of the way
	 * round to any other part of the track that passes close by.
	 */
	follow(x: number, z: number, k: number, u: number, behindM: number, aheadM: number): { k: number; u: number } {
		let best = { k, ...this.onSegment(k, x, z) };
		for (let m = k + 1; m < k + this.n && this.start(m) - u <= aheadM; m++) {
			const p = this.onSegment(m, x, z);
			if (p.d2 < best.d2) best = { k: m, ...p };
		}
		for (let m = k - 1; m > k - this.n && u - this.start(m + 1) <= behindM; m--) {
			const p = this.onSegment(m, x, z);
			if (p.d2 < best.d2) best = { k: m, ...p };
		}
		return { k: best.k, u: best.u };
	}
}

/** A lap's distance along the reference line against its lap time: both non-decreasing. */
export interface DistanceProfile {
	/** Lap time, s: one per sample (i / hz), then the lap's end. */
	t: Float64Array;
	/** Distance along the reference line, m (unwrapped, from the lap's start). */
	d: Float64Array;
}

/**
 * A lap trace's profile on `line` (module comment): `trace` sampled every 1/hz s of lap time,
 * `lapSeconds` its lap time, `near` the distance its first sample should lie within half a lap of.
 */
export function distanceProfile(trace: Polyline & { hz: number }, lapSeconds: number, line: ReferenceLine, near = 0): DistanceProfile {
	const n = trace.x.length;
	const t: number[] = [];
	const d: number[] = [];
	if (n === 0 || line.lengthM <= 0) return { t: new Float64Array(0), d: new Float64Array(0) };
	const first = line.nearest(trace.x[0], trace.z[0]);
	const laps = Math.round((near - first.u) / line.lengthM);
	let at = { k: first.k + laps * line.n, u: first.u + laps * line.lengthM };
	let furthest = at.u;
	t.push(0);
	d.push(furthest);
	for (let i = 1; i < n; i++) {
		const step = Math.hypot(trace.x[i] - trace.x[i - 1], trace.z[i] - trace.z[i - 1]);
		at = line.follow(trace.x[i], trace.z[i], at.k, at.u, BEHIND_M + step, AHEAD_M + AHEAD_STEPS * step);
		furthest = Math.max(furthest, at.u);
		t.push(i / trace.hz);
		d.push(furthest);
	}
	const finish = d[0] + line.lengthM;
	if (lapSeconds > t[n - 1] && finish > furthest) {
		t.push(lapSeconds);
		d.push(finish);
	}
	return { t: Float64Array.from(t), d: Float64Array.from(d) };
}

/** ys at x on the non-decreasing xs, linear between the first point reaching x and the one before; clamped at the ends. */
function interpolate(xs: Float64Array, ys: Float64Array, x: number): number {
	const n = xs.length;
	if (n === 0) return NaN;
	if (x <= xs[0]) return ys[0];
	if (x >= xs[n - 1]) {
		let k = n - 1;
		while (k > 0 && xs[k - 1] >= x) k--; // the first point at x on a final plateau
		return ys[k];
	}
	let lo = 0; // xs[lo] < x ≤ xs[hi]
	let hi = n - 1;
	while (hi - lo > 1) {
		const mid = (lo + hi) >> 1;
		if (xs[mid] < x) lo = mid;
		else hi = mid;
	}
	return ys[lo] + ((ys[hi] - ys[lo]) * (x - xs[lo])) / (xs[hi] - xs[lo]);
}

/** The lap's distance at lap time t, m. */
export const distanceAt = (p: DistanceProfile, t: number): number => interpolate(p.t, p.d, t);

/** The first lap time at which the lap had covered distance d, s. */
export const timeAtDistance = (p: DistanceProfile, d: number): number => interpolate(p.d, p.t, d);

/** How far behind `other` is where `main` is at lap time t, s: t2(d(t)) − t (positive: main is ahead). */
export function gapByDistance(main: DistanceProfile, other: DistanceProfile, t: number): number {
	return timeAtDistance(other, distanceAt(main, t)) - t;
}
