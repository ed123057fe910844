/**
 * Resuming a run after a crash: the TensorBoard event files (a second writer in the same directory,
 * SessionLog START purging the crashed process's points past the checkpoint) and metrics.jsonl
 * (cut back to the checkpoint's step). Read back with the test reader, as TensorBoard would.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunDir } from '../../../src/lib/server/run/run-dir.ts';
import { EventFileWriter } from '../../../src/lib/server/run/tfevents.ts';
import { eventFiles, readEventDir, readEventFile, SESSION_START, tensorboardView, TfRecordError, type TagView } from '../../fixtures/tfevents-reader.ts';

const TAGS = ['losses/value_loss', 'charts/episodic_return'];
const before = (tag: string, step: number) => TAGS.indexOf(tag) * 1000 + step; // the crashed process
const after = (tag: string, step: number) => -(TAGS.indexOf(tag) * 1000 + step) - 0.5; // the resumed one
const T0 = 1_700_000_000_000;

/** Steps 0..100 from one process, then (resuming at 61) 61..120 from a second one, same directory. */
function crashAndResume(withSessionStart: boolean): string {
	const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
	const first = new EventFileWriter(dir);
	for (let s = 0; s <= 100; s++) first.scalars(s, Object.fromEntries(TAGS.map((t) => [t, before(t, s)])), T0 + s * 1000);
	const second = new EventFileWriter(dir); // same second as the first: must not collide
	if (withSessionStart) second.sessionStart(61, T0 + 200_000);
	for (let s = 61; s <= 120; s++) second.scalars(s, Object.fromEntries(TAGS.map((t) => [t, after(t, s)])), T0 + 200_000 + s * 1000);
	return dir;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const strictlyIncreasing = (steps: number[]) => steps.every((s, i) => i === 0 || s > steps[i - 1]);

function assertResumedCurve(view: TagView, tag: string): void {
	assert.ok(strictlyIncreasing(view.steps), `${tag}: steps go back`);
	assert.deepStrictEqual(view.steps, range(0, 120));
	assert.deepStrictEqual(
		view.values,
		view.steps.map((s) => Math.fround(s <= 60 ? before(tag, s) : after(tag, s)))
	);
}

describe('run resume files', () => {
	it('a second writer in the same second gets its own file, which sorts after the first', (t) => {
		t.mock.method(Date, 'now', () => T0 + 123);
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
		const writers = [new EventFileWriter(dir), new EventFileWriter(dir), new EventFileWriter(dir)];
		writers.forEach((w, i) => w.scalars(i, { x: i }));
		assert.deepStrictEqual(
			eventFiles(dir),
			writers.map((w) => w.path)
		);
		assert.deepStrictEqual(
			readEventDir(dir).flatMap((e) => Object.values(e.scalars)),
			[0, 1, 2]
		);
	});

	it('a new file sorts after an existing one even when the clock is behind its name', () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
		const future = join(dir, `events.out.tfevents.${Math.floor(Date.now() / 1000) + 3600}.zzzz.pitwall`);
		writeFileSync(future, '');
		const writer = new EventFileWriter(dir);
		assert.deepStrictEqual(eventFiles(dir), [future, writer.path]);
	});

	it('writes a SessionLog START at the given step, twice', () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
		const writer = new EventFileWriter(dir);
		writer.sessionStart(61, T0);
		const [version, ...starts] = readEventFile(writer.path).events;
		assert.equal(version.fileVersion, 'brain.Event:2');
		assert.deepStrictEqual(
			starts.map((e) => ({ step: e.step, wallTime: e.wallTime, sessionStatus: e.sessionStatus, hasSummary: e.hasSummary })),
			Array(2).fill({ step: 61, wallTime: T0 / 1000, sessionStatus: SESSION_START, hasSummary: false })
		);
	});

	it('after a resume with sessionStart, every curve continues: old points up to 60, the new ones from 61', () => {
		const dir = crashAndResume(true);
		assert.equal(readdirSync(dir).length, 2);
		for (const loader of ['python', 'legacy', 'rust'] as const) {
			const view = tensorboardView(dir, loader);
			assert.deepStrictEqual(Object.keys(view).sort(), [...TAGS].sort());
			for (const tag of TAGS) assertResumedCurve(view[tag], tag);
		}
	});

	it('without sessionStart the Python loaders show the crashed points and the curve goes back', () => {
		const dir = crashAndResume(false);
		for (const loader of ['python', 'legacy'] as const) {
			const view = tensorboardView(dir, loader);
			for (const tag of TAGS) {
				assert.equal(strictlyIncreasing(view[tag].steps), false);
				assert.deepStrictEqual(view[tag].steps, [...range(0, 100), ...range(61, 120)]);
			}
		}
	});

	it("one START would not do: the server's Python loader takes a run's first START for its initial start", () => {
		const dir = crashAndResume(true);
		const resumed = eventFiles(dir)[1];
		const bytes = readFileSync(resumed);
		const [, start, again] = readEventFile(resumed).events;
		writeFileSync(resumed, Buffer.concat([bytes.subarray(0, again.offset), bytes.subarray(again.offset + (again.offset - start.offset))]));
		assert.equal(readEventDir(dir).filter((e) => e.sessionStatus === SESSION_START).length, 1);
		assert.deepStrictEqual(tensorboardView(dir, 'python')[TAGS[0]].steps, [...range(0, 100), ...range(61, 120)]);
		assertResumedCurve(tensorboardView(dir, 'legacy')[TAGS[0]], TAGS[0]);
	});

	it('resuming twice: each sessionStart purges back to its step', () => {
		const dir = crashAndResume(true);
		const third = new EventFileWriter(dir);
		third.sessionStart(91);
		for (let s = 91; s <= 130; s++) third.scalars(s, { [TAGS[0]]: 10_000 + s });
		for (const loader of ['python', 'legacy', 'rust'] as const) {
			const view = tensorboardView(dir, loader)[TAGS[0]];
			assert.deepStrictEqual(view.steps, range(0, 130));
			assert.deepStrictEqual(
				view.values,
				view.steps.map((s) => Math.fround(s <= 60 ? before(TAGS[0], s) : s <= 90 ? after(TAGS[0], s) : 10_000 + s))
			);
		}
	});

	it('sessionStart purges tags the resumed run never writes again (the Rust loader does not)', () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
		const first = new EventFileWriter(dir);
		for (let s = 0; s <= 100; s++) first.scalars(s, { kept: s, dropped: s });
		const second = new EventFileWriter(dir);
		second.sessionStart(61);
		for (let s = 61; s <= 70; s++) second.scalars(s, { kept: -s });
		assert.deepStrictEqual(tensorboardView(dir, 'python').dropped.steps, range(0, 60));
		assert.deepStrictEqual(tensorboardView(dir, 'rust').dropped.steps, range(0, 100));
		assert.deepStrictEqual(tensorboardView(dir, 'rust').kept.steps, range(0, 70));
	});

	it('the reader reports a corrupted byte with its file and record offset, and waits on a torn tail', () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-resume-'));
		const writer = new EventFileWriter(dir);
		writer.scalars(1, { x: 1 });
		writer.scalars(2, { x: 2 });
		const good = readFileSync(writer.path);
		const [, , second] = readEventFile(writer.path).events;
		for (const [at, problem] of [
			[second.offset + 20, /payload CRC mismatch/],
			[second.offset + 2, /length CRC mismatch/]
		] as const) {
			const bad = Uint8Array.from(good);
			bad[at] ^= 0x01;
			writeFileSync(writer.path, bad);
			assert.throws(
				() => readEventFile(writer.path),
				(error: unknown) => error instanceof TfRecordError && error.offset === second.offset && problem.test(error.message)
			);
		}
		writeFileSync(writer.path, good.subarray(0, good.length - 3));
		const torn = readEventFile(writer.path);
		assert.equal(torn.events.length, 2);
		assert.equal(torn.tornBytes, good.length - 3 - second.offset);
	});

	it('cutMetricsAfter keeps the lines up to the step, drops later, malformed and torn ones', () => {
		const run = new RunDir(mkdtempSync(join(tmpdir(), 'pitwall-resume-')), 'r');
		assert.equal(run.cutMetricsAfter(10), 0); // no metrics.jsonl yet
		for (const step of [0, 30, 60, 61, 90, 100]) run.metrics.append({ kind: 'update', step, time: T0 + step });
		const path = join(run.dir, 'metrics.jsonl');
		appendFileSync(path, 'not json\n\n{"kind":"event","time":1}\n{"kind":"update","step":5,"ti'); // no step; torn
		assert.equal(run.cutMetricsAfter(60), 6);
		const lines = readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8');
		assert.ok(lines.endsWith('}\n'));
		assert.deepStrictEqual(
			lines
				.trimEnd()
				.split('\n')
				.map((l: string) => JSON.parse(l).step),
			[0, 30, 60]
		);
		assert.deepStrictEqual(
			readdirSync(run.dir).filter((f) => f.endsWith('.tmp')),
			[]
		);
		assert.equal(run.cutMetricsAfter(60), 0);
		assert.equal(readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8'), lines);
		run.metrics.append({ kind: 'update', step: 61, time: 0 });
		assert.equal(readFileSync(join(run.dir, 'metrics.jsonl'), 'utf8').trimEnd().split('\n').length, 4);
	});
});
