/**
 * The sim host: the simulated car as AC-layout pages in files plus a file joystick, read and
 * driven through the same AcReader and GuardedSink the agent uses for AC.
 */
import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { AcWorld, SIM_HOST_RESET_MS } from '../../../bridge-agent/src/ac-world.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { PagePublisher } from '../../../bridge-agent/src/sim/page-publisher.ts';
import { CONTROL_TIMEOUT_MS, SimHost } from '../../../bridge-agent/src/sim/sim-host.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';
import { GuardedSink } from '../../../bridge-agent/src/sinks/control-sink.ts';
import { CONTROL_BYTES, FileControlDevice, controlPath, decodeControlPage, encodeControlPage } from '../../../bridge-agent/src/sinks/file-control.ts';
import { AcReader, WRITING_ID } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { FileMapper, pagePath } from '../../../bridge-agent/src/sources/file-mapper.ts';
import { AcNotRunningError, type MappedPage, type PageMapper } from '../../../bridge-agent/src/sources/page-mapper.ts';

const tempDir = () => mkdtempSync(`${tmpdir()}/pitwall-host-`);

function host(dir: string) {
	return new SimHost({ track: Track.named('oval'), seed: 1, dir, prefix: 'acpmf', publishHz: 100, timeScale: 1 });
}

describe('sim host', () => {
	it('codes a control page both ways', () => {
		const page = { seq: 7, controls: { steer: -0.25, throttle: 0.5, brake: 0.125 }, buttons: 0b101 };
		assert.deepEqual(decodeControlPage(encodeControlPage(page)), page);
	});

	it('never hands out a page caught mid-write (packetId = WRITING)', () => {
		const car = new SimCar(Track.named('oval'), 1);
		let writing = 3;
		const mapper: PageMapper = {
			description: 'mid-write',
			open: (page): MappedPage => {
				const bytes = car[page];
				const copy = (into: Uint8Array, n: number) => {
					into.set(bytes.subarray(0, n));
					if (page === 'physics' && writing > 0) new DataView(into.buffer, into.byteOffset).setInt32(0, WRITING_ID, true);
				};
				return {
					size: bytes.length,
					read: (into) => copy(into, bytes.length),
					readHead: (into) => (copy(into, 4), void (page === 'physics' && writing--)),
					close: () => {}
				};
			}
		};
		const snapshot = new AcReader(mapper).read();
		assert.ok(snapshot.tornRetries >= 3, `retries ${snapshot.tornRetries}`);
		assert.notEqual(snapshot.physics.packetId, WRITING_ID);
	});

	it('publishes pages the AC reader reads, and drives from the file joystick', () => {
		const dir = tempDir();
		const sim = host(dir);
		const reader = new AcReader(new FileMapper(dir, 'acpmf'));
		const device = new FileControlDevice(controlPath(dir, 'acpmf'));
		assert.equal(reader.read().static.track, 'oval');
		device.write({ steer: 0, throttle: 1, brake: 0 });
		for (let i = 0; i < 100; i++) sim.tick(i * 10);
		const { physics, graphics } = reader.read();
		assert.equal(physics.gas, 1);
		assert.ok(physics.speedKmh > 10, `speed ${physics.speedKmh}`);
		assert.equal(graphics.status, 2);
		device.close();
		sim.close();
	});

	it('goes neutral when the joystick stops updating', () => {
		const dir = tempDir();
		const sim = host(dir);
		const device = new FileControlDevice(controlPath(dir, 'acpmf'));
		device.write({ steer: 0, throttle: 1, brake: 0 });
		sim.tick(0);
		assert.equal(sim.sim.car.controls.throttle, 1);
		sim.tick(CONTROL_TIMEOUT_MS + 1);
		assert.equal(sim.sim.car.controls.throttle, 0);
		device.close();
		sim.close();
	});

	it('never lets a garbage joystick page reach the car', () => {
		const dir = tempDir();
		const sim = host(dir);
		const fd = openSync(controlPath(dir, 'acpmf'), 'r+');
		writeSync(fd, encodeControlPage({ seq: 1, controls: { steer: NaN, throttle: 1, brake: 0 }, buttons: 0 }), 0, CONTROL_BYTES, 0);
		sim.tick(0);
		assert.deepEqual(sim.sim.car.controls, { steer: 0, throttle: 0, brake: 0 }, 'non-finite → neutral');
		writeSync(fd, encodeControlPage({ seq: 2, controls: { steer: -7, throttle: 3, brake: -1 }, buttons: 0 }), 0, CONTROL_BYTES, 0);
		sim.tick(10);
		assert.deepEqual(sim.sim.car.controls, { steer: -1, throttle: 1, brake: 0 }, 'out of range → clipped');
		closeSync(fd);
		sim.close();
	});

	it('restarts on the restart button, holds, and confirms to an AcWorld', async () => {
		const dir = tempDir();
		const sim = host(dir);
		const world = new AcWorld(
			new AcReader(new FileMapper(dir, 'acpmf')),
			Track.named('oval'),
			new GuardedSink(new FileControlDevice(controlPath(dir, 'acpmf'))),
			SIM_HOST_RESET_MS
		);
		world.apply({ steer: 0, throttle: 1, brake: 0 });
		let t = 0;
		for (; t < 3000; t += 10) sim.tick(t);
		assert.ok(world.reader.read().physics.speedKmh > 5, 'moving before the reset');
		const ticking = setInterval(() => sim.tick((t += 10)), 5);
		try {
			assert.equal(await world.reset(), true);
		} finally {
			clearInterval(ticking);
		}
		assert.equal(sim.restarts, 1);
		assert.equal(sim.held, false, 'start button released the car');
		world.close();
		sim.close();
	});

	it('removes its files on close: readers and joysticks then say it is not running', () => {
		const dir = tempDir();
		host(dir).close();
		for (const page of ['physics', 'graphics', 'static'] as const) assert.equal(existsSync(pagePath(dir, 'acpmf', page)), false);
		assert.throws(() => new AcReader(new FileMapper(dir, 'acpmf')), AcNotRunningError);
		assert.throws(() => new FileControlDevice(controlPath(dir, 'acpmf')), AcNotRunningError);
	});

	it('writes a page so a concurrent reader sees either the old or the new one', () => {
		const dir = tempDir();
		const publisher = new PagePublisher(dir, 'acpmf');
		const car = new SimCar(Track.named('oval'), 1);
		for (const page of ['physics', 'graphics', 'static'] as const) publisher.publish(page, car[page]);
		const reader = new AcReader(new FileMapper(dir, 'acpmf'));
		car.apply({ steer: 0, throttle: 1, brake: 0 });
		for (let i = 0; i < 10; i++) {
			car.step(0.01);
			publisher.publish('physics', car.physics);
			assert.equal(reader.read().physics.packetId, new DataView(car.physics.buffer).getInt32(0, true));
		}
		publisher.close();
	});
});
