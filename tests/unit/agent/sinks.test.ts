/** Control sinks and the AC world: vJoy axis mapping, the guard, dead-man, reset with confirmation, recorded lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Controls } from '../../../bridge-agent/src/driving/controls.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { LineRecorder } from '../../../bridge-agent/src/record-line.ts';
import { ReferenceDriver } from '../../../bridge-agent/src/sim/reference-driver.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';
import { GuardedSink, type ControlDevice } from '../../../bridge-agent/src/sinks/control-sink.ts';
import { AXIS_MAX, AXIS_MIN, pedalAxis, steerAxis } from '../../../bridge-agent/src/sinks/vjoy-sink.ts';
import { AcReader } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { MemoryMapper } from '../../../bridge-agent/src/sources/memory-mapper.ts';

class FakeDevice implements ControlDevice {
	readonly writes: Controls[] = [];
	readonly presses: number[] = [];
	closed = false;
	onPress?: (button: number) => void;
	write(c: Controls): void {
		this.writes.push({ ...c });
	}
	async press(button: number): Promise<void> {
		this.presses.push(button);
		this.onPress?.(button);
	}
	close(): void {
		this.closed = true;
	}
}

describe('vJoy mapping', () => {
	it('maps pedals 0…1 and steer −1…1 onto 0x1…0x8000', () => {
		assert.deepStrictEqual([pedalAxis(0), pedalAxis(1), pedalAxis(0.5)], [AXIS_MIN, AXIS_MAX, 0x4000]);
		assert.deepStrictEqual([steerAxis(-1), steerAxis(1), steerAxis(0)], [AXIS_MIN, AXIS_MAX, 0x4000]);
		assert.deepStrictEqual([pedalAxis(7), steerAxis(-3)], [AXIS_MAX, AXIS_MIN]);
	});
});

describe('guarded sink', () => {
	it('never lets non-finite or out-of-range controls reach the device', () => {
		const device = new FakeDevice();
		const sink = new GuardedSink(device, 10_000);
		sink.apply({ steer: NaN, throttle: 1, brake: 0 });
		sink.apply({ steer: 0, throttle: 1.5, brake: 0 });
		sink.apply({ steer: 0.2, throttle: 0.5, brake: 0 });
		assert.deepStrictEqual(device.writes, [
			{ steer: 0, throttle: 0, brake: 0 },
			{ steer: 0, throttle: 0, brake: 0 },
			{ steer: 0.2, throttle: 0.5, brake: 0 }
		]);
		assert.equal(sink.refused, 2);
		sink.close();
		assert.deepStrictEqual(device.writes.at(-1), { steer: 0, throttle: 0, brake: 0 });
		assert.ok(device.closed);
	});

	it('goes neutral when no fresh action arrives (dead-man), and each action re-arms it', (t) => {
		t.mock.timers.enable({ apis: ['setTimeout'] }); // the dead-man's timer runs on mocked time
		const device = new FakeDevice();
		const sink = new GuardedSink(device, 30);
		const action = { steer: 0.5, throttle: 1, brake: 0 };
		sink.apply(action);
		t.mock.timers.tick(29);
		sink.apply(action); // fresh, 1 ms before the dead-man: it starts over
		t.mock.timers.tick(29);
		assert.equal(sink.deadmanTrips, 0);
		assert.deepStrictEqual(device.writes.at(-1), action);
		t.mock.timers.tick(1);
		assert.equal(sink.deadmanTrips, 1);
		assert.deepStrictEqual(device.writes.at(-1), { steer: 0, throttle: 0, brake: 0 });
		t.mock.timers.tick(1000);
		assert.equal(sink.deadmanTrips, 1, 'one trip per silence');
		sink.close();
	});
});

describe('recorded track line', () => {
	it('records one lap of the sim and rebuilds a track of the same length', () => {
		const track = Track.named('mixed');
		const sim = new SimCar(track, 1);
		const reader = new AcReader(new MemoryMapper({ physics: sim.physics, graphics: sim.graphics, static: sim.static }));
		const driver = new ReferenceDriver(track);
		const recorder = new LineRecorder();
		let done = false;
		for (let t = 0; t < 400 && !done; t += 0.05) {
			const c = sim.car;
			sim.apply(driver.controls({ x: c.x, y: c.y, yaw: c.yaw, speed: c.speed, distance: sim.distance, lateral: sim.lateral }));
			sim.step(0.05);
			done = recorder.feed(reader);
		}
		assert.ok(done, 'a full lap was recorded');
		const rebuilt = Track.fromPoints('mixed', 6, recorder.points);
		assert.ok(Math.abs(rebuilt.length - track.length) / track.length < 0.03, `recorded ${rebuilt.length} m, track ${track.length} m`);
	});
});
