/** AC page layouts: byte fixtures at the offsets ac-facts.md lists, UTF-16 strings, table sanity. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
	GRAPHICS_BYTES,
	GRAPHICS_FIELDS,
	PHYSICS_BYTES,
	PHYSICS_FIELDS,
	STATIC_BYTES,
	STATIC_FIELDS,
	parsePage,
	writePage,
	type FieldTable
} from '../../../bridge-agent/src/ac/layout.ts';

const width = (type: FieldTable[string][0]) => (type === 'i32' || type === 'f32' ? 4 : 'f32' in type ? 4 * type.f32 : 2 * type.wchar);

describe('AC page layouts', () => {
	for (const [name, fields, size] of [
		['physics', PHYSICS_FIELDS, PHYSICS_BYTES],
		['graphics', GRAPHICS_FIELDS, GRAPHICS_BYTES],
		['static', STATIC_FIELDS, STATIC_BYTES]
	] as const) {
		it(`${name}: fields do not overlap and fit in ${size} bytes`, () => {
			const spans = Object.entries(fields as FieldTable)
				.map(([field, [type, offset]]) => [field, offset, offset + width(type)] as const)
				.sort((a, b) => a[1] - b[1]);
			for (let i = 1; i < spans.length; i++) assert.ok(spans[i][1] >= spans[i - 1][2], `${spans[i - 1][0]} overlaps ${spans[i][0]}`);
			assert.ok(spans[spans.length - 1][2] <= size);
		});

		it(`${name}: every field reads back the distinct value written at its offset`, () => {
			const bytes = new Uint8Array(size);
			const view = new DataView(bytes.buffer);
			const expected: Record<string, unknown> = {};
			for (const [field, [type, offset]] of Object.entries(fields as FieldTable)) {
				if (type === 'i32') view.setInt32(offset, (expected[field] = offset * 3 - 7) as number, true);
				else if (type === 'f32') view.setFloat32(offset, (expected[field] = offset + 0.25) as number, true);
				else if ('f32' in type)
					expected[field] = Array.from({ length: type.f32 }, (_, i) => (view.setFloat32(offset + 4 * i, offset + i + 0.5, true), offset + i + 0.5));
				else {
					const text = `${field}`.slice(0, type.wchar - 1);
					for (let i = 0; i < text.length; i++) view.setUint16(offset + 2 * i, text.charCodeAt(i), true);
					expected[field] = text;
				}
			}
			assert.deepStrictEqual(parsePage(fields as FieldTable, bytes), expected);
		});
	}

	it('pins the offsets ac-facts.md lists (a sample across each page)', () => {
		const physics = new Uint8Array(PHYSICS_BYTES);
		const v = new DataView(physics.buffer);
		v.setInt32(0, 77, true);
		v.setFloat32(4, 0.5, true);
		v.setInt32(16, 3, true);
		v.setInt32(20, 6500, true);
		v.setFloat32(28, 201.5, true);
		v.setFloat32(44 + 8, -1.25, true);
		v.setInt32(244, 2, true);
		v.setFloat32(364, 0.75, true);
		v.setFloat32(568 + 8, 55.5, true);
		v.setInt32(588, 8000, true); // currentMaxRpm is an int in AC's struct
		const p = parsePage(PHYSICS_FIELDS, physics);
		assert.deepStrictEqual(
			[p.packetId, p.gas, p.gear, p.rpms, p.speedKmh, p.accG[2], p.numberOfTyresOut, p.clutch, p.localVelocity[2], p.currentMaxRpm],
			[77, 0.5, 3, 6500, 201.5, -1.25, 2, 0.75, 55.5, 8000]
		);

		const graphics = new Uint8Array(GRAPHICS_BYTES);
		const g = new DataView(graphics.buffer);
		g.setInt32(4, 2, true);
		g.setInt32(132, 5, true);
		g.setInt32(140, 83456, true);
		g.setFloat32(248, 0.375, true);
		g.setFloat32(252 + 8, -120.5, true);
		'1:23:456'.split('').forEach((c, i) => g.setUint16(12 + 2 * i, c.charCodeAt(0), true));
		const gr = parsePage(GRAPHICS_FIELDS, graphics);
		assert.deepStrictEqual(
			[gr.status, gr.completedLaps, gr.iCurrentTime, gr.normalizedCarPosition, gr.carCoordinates[2], gr.currentTime],
			[2, 5, 83456, 0.375, -120.5, '1:23:456']
		);

		const stat = new Uint8Array(STATIC_BYTES);
		writePage(STATIC_FIELDS, stat, { track: 'ks_nordschleife', carModel: 'ks_mazda_mx5_cup', maxRpm: 7500, trackSPlineLength: 20832.5 });
		const sv = new DataView(stat.buffer);
		assert.equal(sv.getUint16(134, true), 'k'.charCodeAt(0)); // wchar[33] at 134, UTF-16LE
		assert.equal(sv.getInt32(412, true), 7500);
		const s = parsePage(STATIC_FIELDS, stat);
		assert.deepStrictEqual([s.track, s.carModel, s.maxRpm, s.trackSPlineLength], ['ks_nordschleife', 'ks_mazda_mx5_cup', 7500, 20832.5]);
	});
});
