/**
 * The limit lap of every named sim track (bridge-agent/src/sim/limit-lap.ts): the yardstick learned
 * laps are compared with (bestLapSec / limitLapSec). Prints it with its slowest and fastest point,
 * the same with the tyres' slip-angle drag charged (how optimistic the default is), and the
 * scripted reference driver's flying lap for comparison; it must not beat 0.97 × the limit.
 */
import { Track, TRACKS } from '../bridge-agent/src/driving/track.ts';
import { limitLap } from '../bridge-agent/src/sim/limit-lap.ts';
import { ReferenceDriver } from '../bridge-agent/src/sim/reference-driver.ts';
import { SimCar } from '../bridge-agent/src/sim/sim-car.ts';
import { round, type BenchResult, type Target } from './harness.ts';

/** 95.37 → "1:35.4". */
function clock(seconds: number): string {
	const tenths = Math.round(seconds * 10);
	const minutes = Math.floor(tenths / 600);
	return `${minutes}:${((tenths - minutes * 600) / 10).toFixed(1).padStart(4, '0')}`;
}

/** The reference driver's second lap from the line (the first starts at rest), s; NaN if it was not clean. */
function referenceFlyingLap(track: Track): number {
	const sim = new SimCar(track, 1);
	const driver = new ReferenceDriver(track);
	for (let t = 0; t < 600 && sim.completedLaps < 2; t += 0.05) {
		const c = sim.car;
		sim.apply(driver.controls({ x: c.x, y: c.y, yaw: c.yaw, speed: c.speed, distance: sim.distance, lateral: sim.lateral }));
		sim.step(0.05);
	}
	return sim.cleanLapTimes.length === 2 ? sim.cleanLapTimes[1] / 1000 : NaN;
}

export function run(): BenchResult {
	const figures: Record<string, number | string> = {};
	const targets: Target[] = [];
	for (const name of Object.keys(TRACKS)) {
		const track = Track.named(name);
		const lap = limitLap(track);
		const withSlip = limitLap(track, { slipCost: true });
		const reference = referenceFlyingLap(track);
		console.error(
			`${name}: ${round(lap.lengthM, 0)} m, limit lap ${lap.lapSec.toFixed(2)} s (${clock(lap.lapSec)}), ` +
				`${(lap.minSpeed * 3.6).toFixed(1)}–${(lap.maxSpeed * 3.6).toFixed(1)} km/h (${lap.minSpeed.toFixed(1)}–${lap.maxSpeed.toFixed(1)} m/s), ` +
				`with slip drag ${withSlip.lapSec.toFixed(2)} s; reference driver ${reference.toFixed(2)} s (${clock(reference)}) = ${(reference / lap.lapSec).toFixed(3)} × limit`
		);
		figures[`${name}LengthM`] = round(lap.lengthM, 1);
		figures[`${name}LimitLapSec`] = round(lap.lapSec, 3);
		figures[`${name}LimitLap`] = clock(lap.lapSec);
		figures[`${name}MinSpeedMs`] = round(lap.minSpeed, 2);
		figures[`${name}MaxSpeedMs`] = round(lap.maxSpeed, 2);
		figures[`${name}LimitLapSlipCostSec`] = round(withSlip.lapSec, 3);
		figures[`${name}ReferenceLapSec`] = round(reference, 2);
		figures[`${name}ReferenceOverLimit`] = round(reference / lap.lapSec, 3);
		targets.push({ key: `${name}ReferenceOverLimit`, op: '>=', value: 0.97 });
	}
	figures.topSpeedMs = round(limitLap(Track.named(Object.keys(TRACKS)[0])).topSpeed, 2);
	return { name: 'limit-lap', figures, targets };
}
