/**
 * Drawing a track and what is on it, on a 2D canvas: the outline (the centre line stroked at the
 * track's width, its edges and the start line), sector marks, cars, and lap lines coloured by
 * speed with off-track points marked. Pure functions of their inputs, so the map, the replay and
 * the console benchmark draw the same way. World x → canvas x, world z → canvas y (north up).
 */
import type { TrackView } from '$lib/protocol';

/** A 2D context on screen or off it (the outline is drawn once into an offscreen canvas). */
type Ctx2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

export interface View {
	/** World → canvas pixels. */
	px(x: number): number;
	py(z: number): number;
	/** Canvas pixels per metre. */
	scale: number;
}

export interface Car {
	x: number;
	z: number;
	color: string;
	label: string;
	offTrack?: boolean;
}

/** A lap's line: positions with the speed at each and whether the car was off the track there. */
export interface LapLine {
	x: ArrayLike<number>;
	z: ArrayLike<number>;
	speedKmh: ArrayLike<number>;
	offTrack?: ArrayLike<number>;
	/** A single colour instead of the speed scale (an overlaid lap). */
	color?: string;
}

export const CAR_COLORS = ['#7ccf8a', '#8ab4f8', '#f2b36b', '#c58af9', '#e06c6c', '#5fd3d3', '#e8e36b', '#f28bc0'];

/** Fits the track's centre line (and its width) into width × height pixels with a margin. */
export function fit(track: TrackView, width: number, height: number, margin = 12): View {
	let minX = Infinity;
	let maxX = -Infinity;
	let minZ = Infinity;
	let maxZ = -Infinity;
	for (let i = 0; i < track.x.length; i++) {
		minX = Math.min(minX, track.x[i]);
		maxX = Math.max(maxX, track.x[i]);
		minZ = Math.min(minZ, track.z[i]);
		maxZ = Math.max(maxZ, track.z[i]);
	}
	const pad = track.halfWidthM;
	minX -= pad;
	maxX += pad;
	minZ -= pad;
	maxZ += pad;
	const scale = Math.min((width - 2 * margin) / Math.max(1, maxX - minX), (height - 2 * margin) / Math.max(1, maxZ - minZ));
	const ox = (width - (maxX - minX) * scale) / 2;
	const oy = (height - (maxZ - minZ) * scale) / 2;
	return { scale, px: (x) => ox + (x - minX) * scale, py: (z) => height - oy - (z - minZ) * scale };
}

function pathOf(ctx: Ctx2D, track: TrackView, view: View): void {
	ctx.beginPath();
	for (let i = 0; i < track.x.length; i++) {
		const x = view.px(track.x[i]);
		const y = view.py(track.z[i]);
		if (i === 0) ctx.moveTo(x, y);
		else ctx.lineTo(x, y);
	}
	ctx.closePath();
}

/** Index of the centre-line point at lap fraction `f`. */
const pointAt = (track: TrackView, f: number) => Math.min(track.x.length - 1, Math.round(f * track.x.length));

export const TRACK_FILL = '#2b303b';

function drawTrack(ctx: Ctx2D, track: TrackView, view: View): void {
	ctx.lineJoin = 'round';
	ctx.lineCap = 'round';
	// Kerbs: a lighter band just wider than the tarmac, then the tarmac itself.
	pathOf(ctx, track, view);
	ctx.strokeStyle = '#4a5060';
	ctx.lineWidth = Math.max(3, 2 * track.halfWidthM * view.scale + 2);
	ctx.stroke();
	ctx.strokeStyle = TRACK_FILL;
	ctx.lineWidth = Math.max(2, 2 * track.halfWidthM * view.scale);
	ctx.stroke();
	// Start line and sector marks: short bars across the track.
	const mark = (i: number, color: string, width: number) => {
		const n = track.x.length;
		const a = (i - 1 + n) % n;
		const b = (i + 1) % n;
		const dx = track.x[b] - track.x[a];
		const dz = track.z[b] - track.z[a];
		const length = Math.hypot(dx, dz) || 1;
		const nx = (-dz / length) * (track.halfWidthM + 2);
		const nz = (dx / length) * (track.halfWidthM + 2);
		ctx.beginPath();
		ctx.moveTo(view.px(track.x[i] + nx), view.py(track.z[i] + nz));
		ctx.lineTo(view.px(track.x[i] - nx), view.py(track.z[i] - nz));
		ctx.strokeStyle = color;
		ctx.lineWidth = width;
		ctx.stroke();
	};
	mark(0, '#e8eaed', 3);
	for (const s of track.sectors) mark(pointAt(track, s), '#f2b36b', 2);
}

const outlines = new WeakMap<TrackView, { key: string; canvas: OffscreenCanvas }>();

/**
 * drawTrack through a cache: the outline is drawn once per track object and canvas size into an
 * offscreen canvas, then copied (a live map redraws its cars 4 times a second, a replay 60).
 * `width` × `height` are CSS pixels; the context's transform carries the pixel ratio.
 */
export function drawTrackCached(ctx: CanvasRenderingContext2D, track: TrackView, view: View, width: number, height: number): void {
	const ratio = ctx.getTransform().a;
	const key = `${width}x${height}@${ratio}`;
	let cached = outlines.get(track);
	if (!cached || cached.key !== key) {
		const canvas = new OffscreenCanvas(Math.round(width * ratio), Math.round(height * ratio));
		const offscreen = canvas.getContext('2d')!;
		offscreen.setTransform(ratio, 0, 0, ratio, 0, 0);
		drawTrack(offscreen, track, view);
		cached = { key, canvas };
		outlines.set(track, cached);
	}
	ctx.save();
	ctx.setTransform(1, 0, 0, 1, 0, 0);
	ctx.drawImage(cached.canvas, 0, 0);
	ctx.restore();
}

/** A lap's speed range → colour (0 its slowest, 1 its fastest): blue, through green and yellow, to red. */
function speedColor(f: number): string {
	return `hsl(${Math.round(220 - 220 * f)}, 80%, 58%)`;
}

/** Colour buckets for a speed-coloured line: one path per bucket, not one per segment. */
const BUCKETS = 12;

export function drawLapLine(ctx: CanvasRenderingContext2D, line: LapLine, view: View): void {
	const n = line.x.length;
	if (n < 2) return;
	ctx.lineCap = 'round';
	ctx.lineJoin = 'round';
	ctx.lineWidth = 2.5;
	if (line.color) {
		ctx.beginPath();
		ctx.moveTo(view.px(line.x[0]), view.py(line.z[0]));
		for (let i = 1; i < n; i++) ctx.lineTo(view.px(line.x[i]), view.py(line.z[i]));
		ctx.strokeStyle = line.color;
		ctx.stroke();
	} else {
		let lo = Infinity;
		let hi = -Infinity;
		for (let i = 0; i < n; i++) {
			lo = Math.min(lo, line.speedKmh[i]);
			hi = Math.max(hi, line.speedKmh[i]);
		}
		const paths: Path2D[] = Array.from({ length: BUCKETS }, () => new Path2D());
		for (let i = 1; i < n; i++) {
			const f = Math.max(0, Math.min(1, (line.speedKmh[i] - lo) / Math.max(1, hi - lo)));
			const path = paths[Math.min(BUCKETS - 1, Math.floor(f * BUCKETS))];
			path.moveTo(view.px(line.x[i - 1]), view.py(line.z[i - 1]));
			path.lineTo(view.px(line.x[i]), view.py(line.z[i]));
		}
		paths.forEach((path, b) => {
			ctx.strokeStyle = speedColor((b + 0.5) / BUCKETS);
			ctx.stroke(path);
		});
	}
	if (line.offTrack) {
		ctx.fillStyle = '#e06c6c';
		for (let i = 0; i < n; i++) {
			if (line.offTrack[i] > 0) ctx.fillRect(view.px(line.x[i]) - 2.5, view.py(line.z[i]) - 2.5, 5, 5);
		}
	}
}

export function drawCars(ctx: CanvasRenderingContext2D, cars: readonly Car[], view: View): void {
	ctx.font = '11px system-ui, sans-serif';
	ctx.textBaseline = 'middle';
	for (const car of cars) {
		const x = view.px(car.x);
		const y = view.py(car.z);
		ctx.beginPath();
		ctx.arc(x, y, 6, 0, Math.PI * 2);
		ctx.fillStyle = car.color;
		ctx.fill();
		ctx.lineWidth = 2;
		ctx.strokeStyle = car.offTrack ? '#e06c6c' : '#0f1115';
		ctx.stroke();
		if (car.label) {
			// Beside the car, on whichever side the canvas has room for it.
			const width = ctx.measureText(car.label).width;
			const right = x + 9 + width <= ctx.canvas.clientWidth;
			ctx.fillStyle = '#e8eaed';
			ctx.fillText(car.label, right ? x + 9 : x - 9 - width, y);
		}
	}
}
