/**
 * The replay's gap by distance (src/lib/components/lap-distance.ts): laps projected on a reference
 * line, distances that never decrease, the other lap's time at the main lap's distance by
 * interpolation, laps that cut a corner, a line nearer another part of the track, and both ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReferenceLine, distanceAt, distanceProfile, gapByDistance, timeAtDistance, type Polyline } from '../../../src/lib/components/lap-distance.ts';

/** The 400 m square the laps drive, its start line at (0, 0). */
const SQUARE: Polyline = { x: [0, 100, 100, 0], z: [0, 0, 100, 100] };

/** A car at `speed` m/s along the open path `points` (x, z pairs), sampled at `hz` for `seconds`. */
function drive(points: [number, number][], speed: number, seconds: number, hz = 10) {
	const lengths = points.slice(1).map(([x, z], i) => Math.hypot(x - points[i][0], z - points[i][1]));
	const x: number[] = [];
	const z: number[] = [];
	for (let i = 0; i < seconds * hz - 1e-9; i++) {
		let s = (speed * i) / hz;
		let k = 0;
		while (k < lengths.length - 1 && s > lengths[k]) s -= lengths[k++];
		const f = Math.min(1, s / lengths[k]);
		x.push(points[k][0] + f * (points[k + 1][0] - points[k][0]));
		z.push(points[k][1] + f * (points[k + 1][1] - points[k][1]));
	}
	return { x, z, hz };
}

const ROUND: [number, number][] = [
	[0, 0],
	[100, 0],
	[100, 100],
	[0, 100],
	[0, 0]
];
/** The same lap cutting the second corner: (90, 0) straight to (100, 10), 5.86 m shorter. */
const CUT: [number, number][] = [
	[0, 0],
	[90, 0],
	[100, 10],
	[100, 100],
	[0, 100],
	[0, 0]
];
const SAVED_M = 20 - Math.hypot(10, 10);

describe('gap by distance', () => {
	it('interpolates: a lap at 20 m/s against one at 25 m/s is 0.2·t s behind at every t, between samples too', () => {
		const line = new ReferenceLine(SQUARE);
		assert.equal(line.lengthM, 400);
		const main = distanceProfile(drive(ROUND, 20, 20), 20, line);
		const other = distanceProfile(drive(ROUND, 25, 16), 16, line, main.d[0]);
		assert.ok(Math.abs(distanceAt(main, 7.33) - 146.6) < 1e-9);
		assert.ok(Math.abs(timeAtDistance(other, 146.6) - 5.864) < 1e-9);
		for (const t of [0, 0.05, 3, 5, 7.33, 12.01, 19.9]) {
			assert.ok(Math.abs(gapByDistance(main, other, t) + 0.2 * t) < 1e-9, `t ${t}: ${gapByDistance(main, other, t)}`);
		}
	});

	it('distance never decreases: a car that rolls back keeps its furthest point, and t2(d) is the first time it got there', () => {
		const line = new ReferenceLine(SQUARE);
		// 0 → 50 m in 2.5 s, back to 44 m, forward again.
		const x = [...Array.from({ length: 26 }, (_, i) => 2 * i), 48, 46, 44, 46, 48, 50, 52, 54];
		const profile = distanceProfile({ x, z: x.map(() => 0), hz: 10 }, 30, line);
		for (let i = 1; i < profile.d.length; i++) assert.ok(profile.d[i] >= profile.d[i - 1], `d[${i}]`);
		assert.deepEqual(Array.from(profile.d.subarray(24, 34)), [48, 50, 50, 50, 50, 50, 50, 50, 52, 54]);
		assert.ok(Math.abs(timeAtDistance(profile, 47) - 2.35) < 1e-9); // on the way out, not after the roll back
		assert.ok(Math.abs(timeAtDistance(profile, 50) - 2.5) < 1e-9);
	});

	it('a lap that cuts a corner is ahead by what it saved, from the corner on (on the centre line)', () => {
		const line = new ReferenceLine(SQUARE);
		const round = distanceProfile(drive(ROUND, 20, 20), 20, line);
		const cut = distanceProfile(drive(CUT, 20, 20), 20 - SAVED_M / 20, line, round.d[0]);
		const ahead = SAVED_M / 20; // 0.293 s
		for (const t of [6, 10, 14.55, 18]) assert.ok(Math.abs(gapByDistance(round, cut, t) + ahead) < 1e-9, `t ${t}: ${gapByDistance(round, cut, t)}`);
		assert.ok(Math.abs(gapByDistance(round, cut, 3) - 0) < 1e-9, 'before the corner: level');
		// The cutting lap as the main one: ahead, by the same.
		const main = distanceProfile(drive(CUT, 20, 20), 20 - ahead, line);
		const other = distanceProfile(drive(ROUND, 20, 20), 20, line, main.d[0]);
		assert.ok(Math.abs(gapByDistance(main, other, 10 - ahead) - ahead) < 1e-9);
		// The third corner (200 m round the line) is where the cutting lap is after 194.1 m of its own:
		// its own cumulative distance (or that scaled to its lap length) would put it elsewhere.
		assert.ok(Math.abs(timeAtDistance(cut, 200) - (200 - SAVED_M) / 20) < 1e-9);
	});

	it('with no TRACK the main lap’s own trace is the line: the same gaps, whichever lap cuts', () => {
		const roundTrace = drive(ROUND, 20, 20);
		const cutTrace = drive(CUT, 20, 20);
		const ahead = SAVED_M / 20;
		const onRound = new ReferenceLine(roundTrace);
		const round = distanceProfile(roundTrace, 20, onRound);
		const cut = distanceProfile(cutTrace, 20 - ahead, onRound, round.d[0]);
		assert.equal(round.d[0], 0);
		for (const t of [6, 10, 18]) assert.ok(Math.abs(gapByDistance(round, cut, t) + ahead) < 1e-9, `t ${t}`);
		const onCut = new ReferenceLine(cutTrace);
		const main = distanceProfile(cutTrace, 20 - ahead, onCut);
		const other = distanceProfile(roundTrace, 20, onCut, main.d[0]);
		for (const t of [6, 10, 18]) assert.ok(Math.abs(gapByDistance(main, other, t) - ahead) < 1e-9, `t ${t}: ${gapByDistance(main, other, t)}`);
	});

	it('a line nearer another part of the track (a hairpin’s other leg) stays on its own: the search follows the lap', () => {
		// A long thin loop: out along z = 0, round at x = 200, back along z = 10.
		const line = new ReferenceLine({ x: [0, 200, 200, 0], z: [0, 0, 10, 10] });
		const out: [number, number][] = [
			[0, 0],
			[200, 0],
			[200, 10],
			[0, 10],
			[0, 0]
		];
		const main = distanceProfile(drive(out, 20, 21), 21, line);
		// The other lap runs 6 m to the inside of the way out (4 m from the way back) from x = 10 to 150, at the same pace along it.
		const wide = drive(out, 20, 21);
		wide.z = wide.z.map((z, i) => (i <= 100 ? Math.min(6, 0.6 * wide.x[i], Math.max(0, 6 - 0.6 * (wide.x[i] - 150))) : z));
		assert.ok(line.nearest(50, 6).u > 300, 'the nearest point of the whole line is on the way back');
		const other = distanceProfile(wide, 21, line, main.d[0]);
		assert.ok(Math.abs(distanceAt(other, 2.5) - 50) < 1e-9);
		for (const t of [1, 2.5, 5, 7, 12, 18]) assert.ok(Math.abs(gapByDistance(main, other, t)) < 1e-9, `t ${t}: ${gapByDistance(main, other, t)}`);
	});

	it('ends of the lap: level at the line; past the other lap’s last sample it runs on to its finish', () => {
		const line = new ReferenceLine(SQUARE);
		const main = distanceProfile(drive(ROUND, 25, 16), 16, line); // last sample 15.9 s at 397.5 m
		const other = distanceProfile(drive(ROUND, 20, 20, 2), 20, line, main.d[0]); // 2 Hz: last sample 19.5 s at 390 m
		assert.equal(gapByDistance(main, other, 0), 0);
		assert.deepEqual([other.t.at(-1), other.d.at(-1)], [20, 400], 'the finish: the line again, at the lap time');
		assert.ok(Math.abs(gapByDistance(main, other, 15.9) - (397.5 / 20 - 15.9)) < 1e-9);
		assert.equal(distanceAt(main, -1), 0);
		assert.equal(distanceAt(main, 16), 400);
		assert.equal(distanceAt(main, 99), 400);
		assert.equal(timeAtDistance(other, 1e6), 20);
	});

	it('distances unwrap across the line’s end, and a lap starting just before the line’s first point counts from there', () => {
		// The same square, its points starting at the far corner: the lap passes the line's end half way round.
		const line = new ReferenceLine({ x: [100, 0, 0, 100], z: [100, 100, 0, 0] });
		const main = distanceProfile(drive(ROUND, 20, 20), 20, line);
		const other = distanceProfile(drive(ROUND, 25, 16), 16, line, main.d[0]);
		assert.equal(main.d[0], 200);
		assert.ok(Math.abs(distanceAt(main, 15) - 500) < 1e-9);
		for (const t of [5, 9.95, 10.05, 15]) assert.ok(Math.abs(gapByDistance(main, other, t) + 0.2 * t) < 1e-9, `t ${t}`);
		// One metre before the start of the line: −1 m, not 399 m, and the other lap counts from it.
		const square = new ReferenceLine(SQUARE);
		const early = distanceProfile(drive([[0, 1], ...ROUND], 20, 20), 20, square);
		assert.equal(early.d[0], -1);
		assert.ok(Math.abs(early.d[1] - 1) < 1e-9);
		const late = distanceProfile(drive([[0.5, 0], ...ROUND.slice(1)], 20, 20), 20, square, early.d[0]);
		assert.equal(late.d[0], 0.5);
	});
});
