/** The AC reader: torn-read retry, absent mapping, stale detection, pages published to files. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { PAGE_BYTES, type PageName } from '../../../bridge-agent/src/ac/layout.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';
import { AcReader } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { FileMapper, pagePath } from '../../../bridge-agent/src/sources/file-mapper.ts';
import { MemoryMapper } from '../../../bridge-agent/src/sources/memory-mapper.ts';
import { AcNotRunningError, type MappedPage, type PageMapper } from '../../../bridge-agent/src/sources/page-mapper.ts';

/** Pages whose physics packetId moves on while being copied, `tears` times. */
class TearingMapper implements PageMapper {
	readonly description = 'tearing';
	constructor(
		private readonly pages: Record<PageName, Uint8Array>,
		public tears: number
	) {}
	open(page: PageName): MappedPage {
		const bytes = this.pages[page];
		return {
			size: bytes.length,
			read: (into) => into.set(bytes),
			readHead: (into) => {
				if (page === 'physics' && this.tears > 0) {
					this.tears--;
					const view = new DataView(bytes.buffer);
					view.setInt32(0, view.getInt32(0, true) + 1, true); // the writer got in between
				}
				into.set(bytes.subarray(0, 4));
			},
			close: () => {}
		};
	}
}

describe('AC reader', () => {
	const sim = () => new SimCar(Track.named('oval'), 1);

	it('retries a torn copy until packetId holds still', () => {
		const car = sim();
		const mapper = new TearingMapper({ physics: car.physics, graphics: car.graphics, static: car.static }, 2);
		const reader = new AcReader(mapper);
		const snapshot = reader.read();
		assert.equal(snapshot.tornRetries, 2);
		assert.equal(snapshot.physics.packetId, new DataView(car.physics.buffer).getInt32(0, true));
	});

	it('before its first coherent copy, waits for a writer descheduled mid-write (CI found the first read failing)', () => {
		const car = sim();
		const reader = new AcReader(new TearingMapper({ physics: car.physics, graphics: car.graphics, static: car.static }, 40));
		const snapshot = reader.read();
		assert.equal(snapshot.tornRetries, 40);
		assert.equal(snapshot.physics.packetId, new DataView(car.physics.buffer).getInt32(0, true));
	});

	it('gives up with an error when a page never holds still from the start', () => {
		const car = sim();
		const reader = new AcReader(new TearingMapper({ physics: car.physics, graphics: car.graphics, static: car.static }, 1e9));
		assert.throws(() => reader.read(), /kept changing/);
	});

	it('falls back to the last coherent copy when a later read stays torn (writer descheduled mid-write)', () => {
		const car = sim();
		const mapper = new TearingMapper({ physics: car.physics, graphics: car.graphics, static: car.static }, 0);
		const reader = new AcReader(mapper);
		const before = reader.next().physics.packetId;
		car.step(0.05);
		mapper.tears = 100;
		const during = reader.next();
		assert.equal(during.physics.packetId, before, 'the previous coherent page, not a torn one');
		assert.equal(during.tornFallbacks, 1);
		mapper.tears = 0;
		assert.ok(reader.next().physics.packetId > before, 'fresh pages again once the writer is done');
	});

	it('says AC is not running when a mapping is absent (and creates nothing)', () => {
		const dir = mkdtempSync(`${tmpdir()}/pitwall-shm-`);
		assert.throws(
			() => new AcReader(new FileMapper(dir, 'acpmf')),
			(e: Error) => e instanceof AcNotRunningError && /not running/.test(e.message)
		);
		writeFileSync(pagePath(dir, 'acpmf', 'physics'), new Uint8Array(PAGE_BYTES.physics));
		assert.throws(() => new AcReader(new FileMapper(dir, 'acpmf')), /graphics/);
	});

	it('detects stale data when packetId stops advancing', () => {
		const car = sim();
		let now = 0;
		const reader = new AcReader(new MemoryMapper({ physics: car.physics, graphics: car.graphics, static: car.static }), () => now);
		assert.equal(reader.read().stale, false);
		now = 400;
		assert.equal(reader.read().stale, false);
		now = 900;
		assert.equal(reader.read().stale, true);
		car.step(0.05);
		assert.equal(reader.read().stale, false);
	});

	it('reads pages another writer published to files (POSIX shared memory layout)', () => {
		const dir = mkdtempSync(`${tmpdir()}/pitwall-shm-`);
		const car = sim();
		car.apply({ steer: 0, throttle: 1, brake: 0 });
		for (let i = 0; i < 20; i++) car.step(0.05);
		for (const page of ['physics', 'graphics', 'static'] as const) writeFileSync(pagePath(dir, 'pitwall', page), car[page]);
		const snapshot = new AcReader(new FileMapper(dir, 'pitwall')).read();
		assert.equal(snapshot.static.track, 'oval');
		assert.equal(snapshot.graphics.status, 2);
		assert.ok(snapshot.physics.speedKmh > 5, `speed ${snapshot.physics.speedKmh}`);
		assert.equal(snapshot.physics.gas, 1);
	});
});
