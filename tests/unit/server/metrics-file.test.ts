/**
 * metrics.jsonl is never read whole: the console's history is its tail, a resume cuts it from the
 * end, appends stop at a cap. A 600 MB file (past what one JS string may hold) still loads.
 */
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MetricsFile, linesFrom } from '../../../src/lib/server/run/metrics-file.ts';
import { RunDir } from '../../../src/lib/server/run/run-dir.ts';
import { METRICS_HISTORY, MetricsLog } from '../../../src/lib/server/runtime/metrics.ts';

const fresh = () => join(mkdtempSync(join(tmpdir(), 'pitwall-metrics-')), 'metrics.jsonl');
const line = (step: number, pad = 0) => JSON.stringify({ kind: 'event', step, time: step, event: 'x', detail: { pad: 'p'.repeat(pad) } }) + '\n';

describe('MetricsFile', () => {
	it('linesFrom: whole lines across chunk boundaries, not the one being written; resumes where it stopped', () => {
		const path = fresh();
		for (let step = 0; step < 2000; step++) appendFileSync(path, line(step, step % 131));
		appendFileSync(path, '{"kind":"event","st'); // being written
		const first = [...linesFrom(path)];
		assert.deepEqual(
			first.map(({ line }) => JSON.parse(line).step),
			Array.from({ length: 2000 }, (_, i) => i)
		);
		const resume = first.at(-1)!.end;
		appendFileSync(path, 'ep":2000}\n' + line(2001));
		assert.deepEqual(
			[...linesFrom(path, resume)].map(({ line }) => JSON.parse(line).step),
			[2000, 2001]
		);
		assert.equal([...linesFrom(path, statSync(path).size)].length, 0);
		assert.equal([...linesFrom(join(path, 'nope'))].length, 0);
	});

	it('reads the last points across chunk boundaries, skipping a torn line', () => {
		const path = fresh();
		for (let step = 0; step < 3000; step++) appendFileSync(path, line(step, step % 97));
		appendFileSync(path, '{"kind":"event","st'); // torn by a crash
		const tail = new MetricsFile(path, Infinity).tail<{ step: number }>(2500);
		assert.equal(tail.length, 2500);
		assert.deepStrictEqual(
			tail.map((p) => p.step),
			Array.from({ length: 2500 }, (_, i) => 500 + i)
		);
	});

	it('cuts from the end by truncating, keeping everything up to the step byte for byte', () => {
		const path = fresh();
		let kept = '';
		for (let step = 0; step < 2000; step++) {
			appendFileSync(path, line(step, 40));
			if (step <= 1234) kept += line(step, 40);
		}
		const file = new MetricsFile(path, Infinity);
		assert.equal(file.cutAfter(1234), 765);
		assert.equal(readFileSync(path, 'utf8'), kept);
		assert.equal(file.size, Buffer.byteLength(kept));
		assert.equal(file.cutAfter(1234), 0);
	});

	it('stops appending at its cap and says so', () => {
		const path = fresh();
		const file = new MetricsFile(path, 1000);
		let written = 0;
		while (file.append({ kind: 'event', step: written, time: 0 })) written++;
		assert.ok(written > 10 && statSync(path).size <= 1000);
		assert.equal(file.refused, 1);
		assert.equal(file.append({ kind: 'event', step: 0, time: 0 }), false);
		assert.equal(file.refused, 2);
	});

	it('a 600 MB metrics.jsonl (beyond one string) loads its newest points', () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-big-'));
		const run = new RunDir(dir, 'r');
		const path = join(run.dir, 'metrics.jsonl');
		const block = Buffer.from(Array.from({ length: 1000 }, (_, i) => line(i, 500)).join('')); // ~0.6 MB of old history
		const fd = openSync(path, 'w');
		for (let written = 0; written < 600 * 2 ** 20; written += block.length) writeSync(fd, block);
		closeSync(fd);
		for (let step = 1000; step < 1000 + METRICS_HISTORY + 10; step++) appendFileSync(path, line(step));
		assert.ok(statSync(path).size > 0x1fffffe8, 'past the longest string V8 can make');
		try {
			const log = new MetricsLog(new RunDir(dir, 'r'));
			assert.equal(log.points.length, METRICS_HISTORY);
			assert.equal(log.points.at(-1)?.step, 1000 + METRICS_HISTORY + 9);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
