/**
 * physics.heading in AC's convention, atan2(−forward.x, forward.z), not the velocity's atan2(vz, vx):
 * the simulated pages write it as AC does, and the low-speed fallback of the observation (the
 * car's heading when it barely moves) must convert it back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acHeadingFromYaw, yawFromAcHeading } from '../../../bridge-agent/src/ac/heading.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { trackPosition } from '../../../bridge-agent/src/rl/observation.ts';
import { SimWorld } from '../../../bridge-agent/src/sim/sim-world.ts';

const close = (a: number, b: number, what: string, eps = 1e-6) =>
	assert.ok(Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b))) < eps, `${what}: ${a} vs ${b}`);

describe("AC's heading", () => {
	it('is atan2(−forward.x, forward.z): 0 facing +z, −90° facing +x, 90° facing −x, 180° facing −z', () => {
		const facing = (fx: number, fz: number) => acHeadingFromYaw(Math.atan2(fz, fx));
		close(facing(0, 1), 0, '+z');
		close(facing(1, 0), -Math.PI / 2, '+x');
		close(facing(-1, 0), Math.PI / 2, '−x');
		close(facing(0, -1), Math.PI, '−z');
		for (let yaw = -3; yaw <= 3; yaw += 0.25) {
			close(acHeadingFromYaw(yaw), Math.atan2(-Math.cos(yaw), Math.sin(yaw)), `definition at yaw ${yaw}`);
			close(yawFromAcHeading(acHeadingFromYaw(yaw)), yaw, `round trip at yaw ${yaw}`);
		}
	});

	it('the simulated pages write it as AC does: atan2(−v.x, v.z) of the velocity when driving straight', () => {
		const world = new SimWorld(Track.named('oval'), 1, 'line');
		world.apply({ steer: 0, throttle: 0.5, brake: 0 });
		for (let i = 0; i < 40; i++) world.advance(0.05);
		const { velocity, heading, speedKmh } = world.reader.read().physics;
		assert.ok(speedKmh > 5, `moving (${speedKmh.toFixed(1)} km/h)`);
		close(heading, Math.atan2(-velocity[0], velocity[2]), 'heading vs the direction of travel', 0.02);
	});

	it("at rest, the car's heading still says it points along the track (the observation's fallback converts AC's heading)", () => {
		const world = new SimWorld(Track.named('oval'), 3, 'random');
		const snapshot = world.reader.read();
		assert.equal(snapshot.physics.speedKmh, 0, 'at rest: the fallback applies');
		const at = trackPosition(snapshot, world.track, -1);
		close(at.headingError, 0, 'heading error of a car placed along the line', 0.05);
	});
});
