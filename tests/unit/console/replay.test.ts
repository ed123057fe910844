/** A replay's state at a lap time: inputs interpolated between samples, tyres out taken from the nearest one. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pointAt } from '../../../src/lib/components/replay.ts';
import type { LapReplay } from '../../../src/lib/protocol/index.ts';

const replay = (tyresOut?: number[]): LapReplay => ({
	lap: {
		id: 1,
		at: 0,
		actorId: 'a',
		actorName: 'a',
		track: '',
		episodeId: 1,
		lap: 1,
		timeMs: 400,
		clean: false,
		sectorsMs: [],
		maxSpeedKmh: 100,
		policyVersion: 1
	},
	hz: 10,
	x: [0, 1, 2, 3],
	z: [0, 0, 0, 0],
	speedKmh: [100, 100, 100, 100],
	steer: [0, 0, 0, 0],
	throttle: [0, 1, 1, 0],
	brake: [0, 0, 0, 0],
	...(tyresOut ? { tyresOut } : {})
});

it('tyres out at lap time t: the nearest sample’s count (never a fraction), clamped to the trace', () => {
	const r = replay([0, 2, 4, 0]);
	assert.equal(pointAt(r, 0).tyresOut, 0);
	assert.equal(pointAt(r, 0.14).tyresOut, 2);
	assert.equal(pointAt(r, 0.16).tyresOut, 4);
	assert.equal(pointAt(r, 0.2).tyresOut, 4);
	assert.equal(pointAt(r, 9).tyresOut, 0);
	assert.equal(pointAt(r, -1).tyresOut, 0);
	assert.equal(pointAt(r, 0.15).throttle, 1);
	assert.equal(pointAt(r, 0.25).throttle, 0.5);
});

it('tyres out is null for a trace without the column (an older actor’s lap)', () => {
	assert.equal(pointAt(replay(), 0.1).tyresOut, null);
	assert.equal(pointAt({ ...replay([3]), x: [0], z: [0], speedKmh: [1], steer: [0], throttle: [0], brake: [0] }, 5).tyresOut, 3);
});
