/**
 * Laps from the pages: the reference driver laps the simulated oval and the tracker's laps agree
 * with the car's own lap clock and clean-lap list; sectors add up; the trace follows the track at
 * 10 Hz of lap time; a lap begun away from the line is not reported; the agent sends each lap
 * and, per session, its track.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Agent } from '../../../bridge-agent/src/agent.ts';
import { LapTracker, type CompletedLap } from '../../../bridge-agent/src/driving/lap-tracker.ts';
import { SECTOR_BOUNDARIES, describeTrack } from '../../../bridge-agent/src/driving/track-description.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import type { LearnerLink } from '../../../bridge-agent/src/link/learner-link.ts';
import { createLogger } from '../../../bridge-agent/src/log.ts';
import type { Snapshot } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { ReferenceDriver } from '../../../bridge-agent/src/sim/reference-driver.ts';
import { SimWorld } from '../../../bridge-agent/src/sim/sim-world.ts';
import { decodeMessage, encodeMessage, MessageType, type LapReport, type TrackDescription } from '../../../src/lib/protocol/index.ts';

const HZ = 20;

/** The reference driver on the sim for `seconds`, every period's pages fed to a tracker. */
function drive(start: 'line' | 'random', seconds: number, seed = 1) {
	const world = new SimWorld(Track.named('oval'), seed, start);
	const driver = new ReferenceDriver(world.track);
	const tracker = new LapTracker(SECTOR_BOUNDARIES);
	tracker.restart(world.reader.read());
	const laps: CompletedLap[] = [];
	const lastLapMs: number[] = [];
	for (let i = 0; i < seconds * HZ; i++) {
		world.apply(driver.controls(world.sim.driverState));
		world.advance(1 / HZ);
		const lap = tracker.feed(world.reader.next());
		if (lap) {
			laps.push(lap);
			lastLapMs.push(world.reader.read().graphics.iLastTime);
		}
	}
	return { world, laps, lastLapMs };
}

describe('LapTracker', () => {
	it('reports each lap with the game’s lap time, three sectors adding up to it, and a 10 Hz trace on the track', () => {
		const { world, laps, lastLapMs } = drive('line', 160);
		assert.ok(laps.length >= 2, `laps: ${laps.length}`);
		assert.deepEqual(
			laps.map((l) => l.timeMs),
			lastLapMs
		);
		assert.deepEqual(
			laps.map((l) => l.lap),
			laps.map((_, i) => i + 1)
		);
		// The car's own clean-lap list: the tracker judges cleanliness the same way.
		assert.deepEqual(
			laps.filter((l) => l.clean).map((l) => l.timeMs),
			world.sim.cleanLapTimes
		);
		const track = world.track;
		for (const lap of laps) {
			assert.equal(lap.sectorsMs.length, 3);
			assert.equal(
				lap.sectorsMs.reduce((a, b) => a + b, 0),
				lap.timeMs
			);
			for (const s of lap.sectorsMs) assert.ok(s > lap.timeMs * 0.2 && s < lap.timeMs * 0.5, `sector ${s} of ${lap.timeMs}`);
			const trace = lap.trace!;
			assert.ok(Math.abs(trace.n - lap.timeMs / 100) <= 2, `${trace.n} samples for ${lap.timeMs} ms`);
			assert.equal(trace.hz, 10);
			assert.equal(trace.tyresOut!.length, trace.n);
			if (lap.clean)
				assert.ok(
					trace.tyresOut!.every((v) => v === 0),
					'a clean lap has no tyre out in its trace'
				);
			let maxSpeed = 0;
			for (let i = 0; i < trace.n; i++) {
				const off = Math.sqrt(Math.min(...Array.from(track.x, (x, k) => (x - trace.x[i]) ** 2 + (track.y[k] - trace.z[i]) ** 2)));
				assert.ok(off <= track.halfWidth + 2, `sample ${i} is ${off.toFixed(1)} m off the centre line`);
				maxSpeed = Math.max(maxSpeed, trace.speedKmh[i]);
				assert.ok(trace.throttle[i] >= 0 && trace.throttle[i] <= 1 && trace.brake[i] >= 0 && trace.brake[i] <= 1);
			}
			assert.ok(lap.maxSpeedKmh >= maxSpeed && lap.maxSpeedKmh < maxSpeed + 10, `max ${lap.maxSpeedKmh} vs trace ${maxSpeed}`);
		}
	});

	it('a lap begun away from the line is no lap: a random start reports from the first crossing on', () => {
		const { laps, lastLapMs } = drive('random', 100, 7);
		assert.ok(lastLapMs.length === laps.length && laps.length >= 1);
		const world = new SimWorld(Track.named('oval'), 7, 'random');
		const start = world.reader.read().graphics.normalizedCarPosition;
		assert.ok(start > 0.05 && start < 0.95, `the seed starts mid-lap (${start})`);
		// Every lap reported is a whole one: the reference driver's flying lap, not a fragment.
		const flying = drive('line', 110).laps[1].timeMs;
		for (const lap of laps) assert.ok(Math.abs(lap.timeMs - flying) < flying * 0.05, `${lap.timeMs} vs ${flying}`);
	});

	it('a session restarted by the game (laps back to 0) starts over: the lap cut short is not reported, the next one is', () => {
		const world = new SimWorld(Track.named('oval'), 1, 'line');
		const driver = new ReferenceDriver(world.track);
		const tracker = new LapTracker(SECTOR_BOUNDARIES);
		tracker.restart(world.reader.read());
		const laps: CompletedLap[] = [];
		const run = (seconds: number) => {
			for (let i = 0; i < seconds * HZ; i++) {
				world.apply(driver.controls(world.sim.driverState));
				world.advance(1 / HZ);
				const lap = tracker.feed(world.reader.next());
				if (lap) laps.push(lap);
			}
		};
		run(75); // one lap (≈ 53 s from a standing start) and most of the next
		assert.equal(laps.length, 1);
		world.sim.reset(2); // the game's restart: back on the line, no laps; the tracker is not told
		run(60);
		assert.equal(laps.length, 2);
		assert.equal(laps[1].lap, 1, 'numbered from the restart');
		assert.ok(Math.abs(laps[1].timeMs - laps[0].timeMs) < 1000, `${laps[1].timeMs} vs ${laps[0].timeMs}: a whole standing-start lap`);
	});

	it('rolling back over the line and forward again is no lap; a lap must pass every sector boundary in order', () => {
		let laps = 0;
		let clock = 0;
		const page = (position: number, completedLaps = laps) =>
			({
				physics: { numberOfTyresOut: 0, speedKmh: 20, steerAngle: 0, gas: 0.5, brake: 0 },
				graphics: { completedLaps, iCurrentTime: (clock += 1000), iLastTime: clock, normalizedCarPosition: position, carCoordinates: [0, 0, 0] }
			}) as unknown as Snapshot;
		for (const sectors of [SECTOR_BOUNDARIES, []]) {
			laps = 0;
			clock = 0;
			const tracker = new LapTracker(sectors);
			tracker.restart({ ...page(0), graphics: { ...page(0).graphics, iCurrentTime: 0 } } as Snapshot);
			for (const p of [0.995, 0.99, 0.998]) assert.equal(tracker.feed(page(p)), undefined);
			clock = 0;
			assert.equal(tracker.feed(page(0.002, ++laps)), undefined, `${sectors.length} sectors: back over the line and forward is not a lap`);
			for (const p of [0.2, 0.4, 0.6, 0.8, 0.99]) assert.equal(tracker.feed(page(p)), undefined);
			const lap = tracker.feed(page(0.001, ++laps));
			assert.ok(lap, `${sectors.length} sectors: a whole lap`);
			assert.equal(lap.sectorsMs.length, sectors.length === 0 ? 0 : 3);
		}
	});

	it('the trace records the tyres off the track at each sample (physics.numberOfTyresOut)', () => {
		let clock = 0;
		const page = (position: number, completedLaps: number, numberOfTyresOut: number) =>
			({
				physics: { numberOfTyresOut, speedKmh: 20, steerAngle: 0, gas: 0.5, brake: 0 },
				graphics: { completedLaps, iCurrentTime: (clock += 1000), iLastTime: clock, normalizedCarPosition: position, carCoordinates: [position, 0, 0] }
			}) as unknown as Snapshot;
		const tracker = new LapTracker(SECTOR_BOUNDARIES);
		tracker.restart({ ...page(0, 0, 0), graphics: { ...page(0, 0, 0).graphics, iCurrentTime: 0 } } as Snapshot);
		const out = [1, 3, 0, 4, 2];
		[0.2, 0.4, 0.6, 0.8, 0.9].forEach((p, i) => tracker.feed(page(p, 0, out[i])));
		const lap = tracker.feed(page(0.01, 1, 0))!;
		assert.equal(lap.clean, false);
		assert.deepStrictEqual(lap.trace!.tyresOut, Uint8Array.of(0, ...out));
		assert.equal(lap.trace!.tyresOut!.length, lap.trace!.n);
		const decoded = decodeMessage(encodeMessage({ type: MessageType.LAP, ...lap, episodeId: 1, policyVersion: 1 })) as LapReport;
		assert.deepStrictEqual(decoded.trace!.tyresOut, Uint8Array.of(0, 1, 3, 0, 4, 2));
	});

	it('a glitching page (NaN inputs, 5000 km/h, 9 tyres out) still gives a LAP the learner accepts', () => {
		let clock = 0;
		const page = (position: number, completedLaps: number, speedKmh = 20) =>
			({
				physics: { numberOfTyresOut: position === 0.4 ? 9 : position === 0.8 ? NaN : 0, speedKmh, steerAngle: NaN, gas: Infinity, brake: 0 },
				graphics: { completedLaps, iCurrentTime: (clock += 1000), iLastTime: clock, normalizedCarPosition: position, carCoordinates: [NaN, 0, 1] }
			}) as unknown as Snapshot;
		const tracker = new LapTracker(SECTOR_BOUNDARIES);
		tracker.restart({ ...page(0, 0), graphics: { ...page(0, 0).graphics, iCurrentTime: 0 } } as Snapshot);
		for (const p of [0.2, 0.4, 0.6, 0.8]) tracker.feed(page(p, 0, p === 0.6 ? 5000 : 20));
		const lap = tracker.feed(page(0.01, 1))!;
		const decoded = decodeMessage(encodeMessage({ type: MessageType.LAP, ...lap, episodeId: 1, policyVersion: 1 })) as LapReport;
		assert.equal(decoded.maxSpeedKmh, 1000);
		assert.ok(decoded.trace!.steer.every((v) => v === 0));
		assert.deepStrictEqual(decoded.trace!.tyresOut, Uint8Array.of(0, 0, 4, 0, 0)); // 9 as 4, NaN as 0
	});

	it('the track on the wire: ≤ 2048 points of the centre line, a valid TRACK', () => {
		const track = Track.named('mixed');
		const message = decodeMessage(encodeMessage({ type: MessageType.TRACK, ...describeTrack(track) })) as TrackDescription;
		assert.equal(message.name, 'mixed');
		assert.ok(message.x.length <= 2048 && message.x.length > 500);
		assert.equal(message.z[10], Math.fround(track.y[10]));
		assert.deepEqual(message.sectors, [1 / 3, 2 / 3]);
	});
});

describe('the agent sends laps and its track', () => {
	it('a TRACK per session, a decodable LAP per completed lap with its episode and policy', () => {
		const world = new SimWorld(Track.named('oval'), 1, 'line');
		const driver = new ReferenceDriver(world.track);
		const apply = world.apply.bind(world);
		world.apply = () => {
			apply(driver.controls(world.sim.driverState));
		};
		const log = createLogger({ level: 'error', json: true, name: 'test' }, () => {});
		const agent = new Agent(world, {
			controlHz: HZ,
			mode: 'remote',
			smoothing: 'none',
			batchSteps: 64,
			seed: 1,
			reward: { maxEpisodeSec: 200 },
			stepsPerPolicy: 0,
			log
		});
		const frames: Uint8Array[] = [];
		const link = {
			connected: true,
			sendTrack: (t: Omit<TrackDescription, 'type'>) => frames.push(encodeMessage({ type: MessageType.TRACK, ...t })),
			sendLap: (l: Omit<LapReport, 'type'>) => frames.push(encodeMessage({ type: MessageType.LAP, ...l })),
			sendTelemetry: () => {},
			sendBatch: () => {},
			sendEpisode: () => {}
		};
		agent.link = link as unknown as LearnerLink;
		agent.onSession();
		for (let i = 0; i < 110 * HZ; i++) agent.tick();
		const messages = frames.map((f) => decodeMessage(f));
		assert.equal(messages[0].type, MessageType.TRACK);
		const laps = messages.filter((m): m is LapReport => m.type === MessageType.LAP);
		assert.ok(laps.length >= 1, 'a lap of the oval in 110 s');
		assert.equal(laps[0].episodeId, 0);
		assert.equal(laps[0].lap, 1);
		assert.ok(laps[0].trace && laps[0].trace.n > 100);
		assert.equal(messages.filter((m) => m.type === MessageType.TRACK).length, 1);
	});
});
