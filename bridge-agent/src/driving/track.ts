/**
 * Closed tracks: a centre line resampled every metre (position, heading, curvature), and the
 * queries the car and the agent need (nearest point, lateral offset, curvature ahead). A line is
 * built in (the simulated car's circuits, whose names sim-host publishes) or recorded in AC
 * (`record-line`, Track.fromPoints).
 */
export interface TrackDef {
	name: string;
	/** Half the drivable width, m. */
	halfWidth: number;
	/** The closed centre line as a function of t ∈ [0, 1), any speed along it. */
	curve(t: number): [number, number];
}

/** A long oval: two 400 m straights, two 180° corners of 80 m radius. */
const OVAL: TrackDef = {
	name: 'oval',
	halfWidth: 7,
	curve(t) {
		const straight = 400;
		const radius = 80;
		const arc = Math.PI * radius;
		let s = t * (2 * straight + 2 * arc);
		if (s < straight) return [s, 0];
		s -= straight;
		if (s < arc) return [straight + radius * Math.sin(s / radius), radius - radius * Math.cos(s / radius)];
		s -= arc;
		if (s < straight) return [straight - s, 2 * radius];
		s -= straight;
		return [-radius * Math.sin(s / radius), radius + radius * Math.cos(s / radius)];
	}
};

/**
 * A 1.9 km circuit with a 22 m hairpin, medium corners, fast sweepers and near-straights (radius
 * percentiles: 5 % 88 m, median 197 m, 95 % ≈ 1 km), a fifth of it turning right.
 */
const MIXED: TrackDef = {
	name: 'mixed',
	halfWidth: 6,
	curve(t) {
		const a = 2 * Math.PI * t;
		const r = 260 + 70 * Math.cos(2 * a) + 45 * Math.sin(3 * a) + 15 * Math.cos(5 * a + 0.5);
		return [r * Math.cos(a), r * Math.sin(a)];
	}
};

export const TRACKS: Record<string, TrackDef> = { oval: OVAL, mixed: MIXED };

/** Dense samples of the curve, then points every `step` metres along it. */
function resample(def: TrackDef, step: number): { x: number[]; y: number[] } {
	const dense = 20_000;
	const px: number[] = [];
	const py: number[] = [];
	for (let i = 0; i < dense; i++) {
		const [x, y] = def.curve(i / dense);
		px.push(x);
		py.push(y);
	}
	const cumulative = [0];
	for (let i = 1; i <= dense; i++) cumulative.push(cumulative[i - 1] + Math.hypot(px[i % dense] - px[i - 1], py[i % dense] - py[i - 1]));
	const total = cumulative[dense];
	const n = Math.round(total / step);
	const x: number[] = [];
	const y: number[] = [];
	let j = 0;
	for (let k = 0; k < n; k++) {
		const s = (k * total) / n;
		while (cumulative[j + 1] < s) j++;
		const f = (s - cumulative[j]) / (cumulative[j + 1] - cumulative[j]);
		x.push(px[j] + f * (px[(j + 1) % dense] - px[j]));
		y.push(py[j] + f * (py[(j + 1) % dense] - py[j]));
	}
	return { x, y };
}

export class Track {
	readonly name: string;
	readonly halfWidth: number;
	readonly x: Float64Array;
	readonly y: Float64Array;
	readonly heading: Float64Array;
	readonly curvature: Float64Array;
	readonly length: number;
	readonly step = 1;

	constructor(def: TrackDef) {
		this.name = def.name;
		this.halfWidth = def.halfWidth;
		const { x, y } = resample(def, this.step);
		const n = x.length;
		this.x = Float64Array.from(x);
		this.y = Float64Array.from(y);
		this.heading = new Float64Array(n);
		this.curvature = new Float64Array(n);
		for (let i = 0; i < n; i++) {
			const next = (i + 1) % n;
			const prev = (i - 1 + n) % n;
			this.heading[i] = Math.atan2(y[next] - y[prev], x[next] - x[prev]);
		}
		for (let i = 0; i < n; i++) {
			const turn = this.heading[(i + 1) % n] - this.heading[(i - 1 + n) % n];
			this.curvature[i] = Math.atan2(Math.sin(turn), Math.cos(turn)) / (2 * this.step);
		}
		this.length = n * this.step;
	}

	/**
	 * A track from a recorded centre line (closed polyline of [x, z] points, e.g. from
	 * `bridge-agent record-line`), resampled every metre like the built-in ones.
	 */
	static fromPoints(name: string, halfWidth: number, points: readonly (readonly [number, number])[]): Track {
		if (points.length < 10) throw new Error(`a track line needs at least 10 points, got ${points.length}`);
		const cumulative = [0];
		for (let i = 1; i <= points.length; i++) {
			const [ax, ay] = points[i - 1];
			const [bx, by] = points[i % points.length];
			cumulative.push(cumulative[i - 1] + Math.hypot(bx - ax, by - ay));
		}
		const total = cumulative[points.length];
		return new Track({
			name,
			halfWidth,
			curve(t) {
				const s = t * total;
				let lo = 0;
				let hi = points.length;
				while (hi - lo > 1) {
					const mid = (lo + hi) >> 1;
					if (cumulative[mid] <= s) lo = mid;
					else hi = mid;
				}
				const f = (s - cumulative[lo]) / Math.max(1e-9, cumulative[lo + 1] - cumulative[lo]);
				const [ax, ay] = points[lo];
				const [bx, by] = points[(lo + 1) % points.length];
				return [ax + f * (bx - ax), ay + f * (by - ay)];
			}
		});
	}

	static named(name: string): Track {
		const def = TRACKS[name];
		if (!def) throw new Error(`unknown track "${name}" (choose ${Object.keys(TRACKS).join(', ')})`);
		return new Track(def);
	}

	get points(): number {
		return this.x.length;
	}

	index(distance: number): number {
		const n = this.points;
		return ((Math.round(distance / this.step) % n) + n) % n;
	}

	/**
	 * Nearest centre-line point to (x, y), searched ±window points around `hint` (the previous
	 * answer), so it is O(window) per step. Returns distance along the lap and signed lateral
	 * offset (positive = left of the line).
	 */
	locate(x: number, y: number, hint: number, window = 40): { index: number; distance: number; lateral: number } {
		const n = this.points;
		let best = hint;
		let bestD = Infinity;
		for (let k = -window; k <= window; k++) {
			const i = (((hint + k) % n) + n) % n;
			const d = (this.x[i] - x) ** 2 + (this.y[i] - y) ** 2;
			if (d < bestD) {
				bestD = d;
				best = i;
			}
		}
		const h = this.heading[best];
		const dx = x - this.x[best];
		const dy = y - this.y[best];
		const along = dx * Math.cos(h) + dy * Math.sin(h);
		const lateral = -dx * Math.sin(h) + dy * Math.cos(h);
		const distance = (((best * this.step + along) % this.length) + this.length) % this.length;
		return { index: best, distance, lateral };
	}

	/** Global nearest point (for a car placed anywhere). */
	locateGlobal(x: number, y: number): number {
		let best = 0;
		let bestD = Infinity;
		for (let i = 0; i < this.points; i++) {
			const d = (this.x[i] - x) ** 2 + (this.y[i] - y) ** 2;
			if (d < bestD) {
				bestD = d;
				best = i;
			}
		}
		return best;
	}

	/** Mean curvature over [distance, distance + span) metres ahead (1/m). */
	curvatureAhead(distance: number, span: number): number {
		const start = this.index(distance);
		const count = Math.max(1, Math.round(span / this.step));
		let sum = 0;
		for (let k = 0; k < count; k++) sum += this.curvature[(start + k) % this.points];
		return sum / count;
	}
}
