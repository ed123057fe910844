/** Run directory: TensorBoard records, checkpoint rotation, latest/best, and id validation. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunDir } from '../../../src/lib/server/run/run-dir.ts';
import { crc32c, maskedCrc32c } from '../../../src/lib/server/run/tfevents.ts';

/** Reads TFRecords back, checking both CRCs, and pulls (tag, value) pairs out of the Event protos. */
function readEvents(path: string): { step: number; scalars: Record<string, number> }[] {
	const bytes = readFileSync(path);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const events: { step: number; scalars: Record<string, number> }[] = [];
	for (let at = 0; at < bytes.length;) {
		const length = Number(view.getBigUint64(at, true));
		assert.equal(view.getUint32(at + 8, true), maskedCrc32c(bytes.subarray(at, at + 8)));
		const payload = bytes.subarray(at + 12, at + 12 + length);
		assert.equal(view.getUint32(at + 12 + length, true), maskedCrc32c(payload));
		events.push(parseEvent(payload));
		at += length + 16;
	}
	return events;
}

function parseEvent(b: Uint8Array) {
	let pos = 0;
	const varint = () => {
		let v = 0n;
		let shift = 0n;
		for (;;) {
			const byte = b[pos++];
			v |= BigInt(byte & 0x7f) << shift;
			if (!(byte & 0x80)) return Number(v);
			shift += 7n;
		}
	};
	const out = { step: 0, scalars: {} as Record<string, number> };
	const walk = (end: number, onField: (field: number, wire: number, start: number, len: number) => void) => {
		while (pos < end) {
			const key = varint();
			const field = key >> 3;
			const wire = key & 7;
			if (wire === 0) onField(field, wire, varint(), 0);
			else if (wire === 1) {
				onField(field, wire, pos, 8);
				pos += 8;
			} else if (wire === 5) {
				onField(field, wire, pos, 4);
				pos += 4;
			} else {
				const len = varint();
				const start = pos;
				onField(field, wire, start, len);
				pos = start + len;
			}
		}
	};
	walk(b.length, (field, _wire, start, len) => {
		if (field === 2) out.step = start;
		if (field === 5) {
			const save = pos;
			pos = start;
			walk(start + len, (f, _w, s, l) => {
				if (f !== 1) return;
				const inner = pos;
				pos = s;
				let tag = '';
				let value = NaN;
				walk(s + l, (vf, _vw, vs, vl) => {
					if (vf === 1) tag = new TextDecoder().decode(b.subarray(vs, vs + vl));
					if (vf === 2) value = new DataView(b.buffer, b.byteOffset + vs, 4).getFloat32(0, true);
				});
				out.scalars[tag] = value;
				pos = inner;
			});
			pos = save;
		}
	});
	return out;
}

describe('run directory', () => {
	it('CRC-32C matches the standard check value', () => {
		assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
	});

	it('writes TensorBoard scalar events that read back', () => {
		const run = new RunDir(mkdtempSync(join(tmpdir(), 'pitwall-rd-')), 'r1');
		run.events.scalars(2048, { 'losses/value_loss': 0.5, 'charts/learning_rate': 3e-4, skipped: NaN });
		run.events.scalars(4096, { 'losses/value_loss': 0.25 });
		const events = readEvents(run.events.path);
		assert.equal(events.length, 3); // file_version, then two scalar events
		assert.deepStrictEqual(events[1].step, 2048);
		assert.equal(events[1].scalars['losses/value_loss'], 0.5);
		assert.ok(Math.abs(events[1].scalars['charts/learning_rate'] - 3e-4) < 1e-9);
		assert.equal('skipped' in events[1].scalars, false);
		assert.equal(events[2].scalars['losses/value_loss'], 0.25);
	});

	it('keeps the newest K checkpoints plus latest and best, and validates ids', () => {
		const root = mkdtempSync(join(tmpdir(), 'pitwall-rd-'));
		const run = new RunDir(root, 'r2');
		for (let u = 1; u <= 5; u++) run.saveCheckpoint(Uint8Array.of(u), u, 2, u === 3);
		assert.deepStrictEqual(
			run.list().map((c) => c.id),
			['best', 'ckpt-00000004', 'ckpt-00000005', 'latest']
		);
		assert.deepStrictEqual([...run.read('latest')!], [5]);
		assert.deepStrictEqual([...run.read('best')!], [3]);
		assert.equal(run.read('../../etc/passwd'), undefined);
		assert.equal(run.read('ckpt-1'), undefined);
		assert.ok(RunDir.hasCheckpoint(root, 'r2'));
	});

	it('the policy-version mark reads back, and a missing, torn or garbled one is no mark', () => {
		const run = new RunDir(mkdtempSync(join(tmpdir(), 'pitwall-mark-')), 'r');
		assert.equal(run.policyVersionMark(), undefined);
		run.markPolicyVersion(41);
		assert.equal(run.policyVersionMark(), 41);
		for (const text of ['', '4x', '-3', '1e400', '12.5', 'null']) {
			writeFileSync(join(run.dir, 'policy-version'), text);
			assert.equal(run.policyVersionMark(), undefined, JSON.stringify(text));
		}
	});
});
