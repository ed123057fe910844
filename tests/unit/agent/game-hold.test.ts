/**
 * The agent notices the game stopping: AcWorld.hold() reads graphics.status and both packetIds
 * (on an injected clock), lets go of frozen pages and maps them again to see whether the game
 * is gone, and finds it when it is back.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AcStatus, GRAPHICS_FIELDS, writePage, type PageName } from '../../../bridge-agent/src/ac/layout.ts';
import { AcWorld } from '../../../bridge-agent/src/ac-world.ts';
import { Track } from '../../../bridge-agent/src/driving/track.ts';
import { SimCar } from '../../../bridge-agent/src/sim/sim-car.ts';
import { GuardedSink } from '../../../bridge-agent/src/sinks/control-sink.ts';
import { AcReader } from '../../../bridge-agent/src/sources/ac-reader.ts';
import { MemoryMapper } from '../../../bridge-agent/src/sources/memory-mapper.ts';
import type { MappedPage, PageMapper } from '../../../bridge-agent/src/sources/page-mapper.ts';

it('holds on PAUSE/REPLAY/OFF at once, on frozen pages after 500 ms, says "gone" when they vanish, resumes when they are back', () => {
	const sim = new SimCar(Track.named('oval'), 1);
	const pages = { physics: sim.physics, graphics: sim.graphics, static: sim.static };
	let running = true;
	let opens = 0;
	const memory = new MemoryMapper(pages);
	const mapper: PageMapper = {
		description: 'test pages',
		open: (page: PageName): MappedPage | undefined => (running ? (opens++, memory.open(page)) : undefined)
	};
	let now = 0;
	const reader = new AcReader(mapper, () => now);
	const writes: number[] = [];
	const device = { write: (c: { throttle: number }) => void writes.push(c.throttle), press: async () => {}, close: () => {} };
	const world = new AcWorld(reader, Track.named('oval'), new GuardedSink(device, 1e9), undefined, 'test', () => now);
	const step = (ms: number) => {
		now += ms;
		sim.step(ms / 1000);
	};

	assert.equal(world.hold(), '');
	step(50);
	assert.equal(world.hold(), '');
	for (const [status, word] of [
		[AcStatus.PAUSE, 'paused'],
		[AcStatus.REPLAY, 'replay'],
		[AcStatus.OFF, 'off']
	] as const) {
		writePage(GRAPHICS_FIELDS, sim.graphics, { status });
		assert.match(world.hold(), new RegExp(`^${word}`));
	}
	writePage(GRAPHICS_FIELDS, sim.graphics, { status: AcStatus.LIVE });
	assert.equal(world.hold(), '');

	// The game stops writing (it hung, or quit while we hold its pages).
	now += 400;
	assert.equal(world.hold(), '', 'not yet stale');
	now += 200;
	assert.match(world.hold(), /^frozen: no new data for 600 ms/);
	const before = opens;
	now += 500;
	assert.match(world.hold(), /^frozen/, 'still mapped: the game holds its pages');
	assert.equal(opens, before + 3, 'let go of and mapped again');

	running = false; // the game quit and nobody holds its pages
	now += 1000;
	assert.match(world.hold(), /^gone/);
	assert.equal(reader.mapped, false);
	now += 300;
	assert.match(world.hold(), /^gone/, 'no retry before a second has passed');

	running = true; // the game is back
	now += 1000;
	step(20);
	assert.equal(world.hold(), '');
	assert.equal(reader.mapped, true);
	world.close();
});
