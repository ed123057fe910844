/** The transition model: columns, cuts, the stale filter, the recorder, and what the codec makes of them. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Packr } from 'msgpackr';
import { HEADER_BYTES, MessageType, decodeMessage, encodeMessage, type TransitionBatch } from '../../../src/lib/protocol/index.ts';
import {
	STEP_COLUMNS,
	SegmentRecorder,
	allocSteps,
	copySteps,
	cutSegment,
	freshRuns,
	freshWindow,
	nextObs,
	stepFlags,
	transferList,
	viewSteps
} from '../../../src/lib/transitions/index.ts';

const dims = { obsDim: 2, actionDim: 1 };

/** n steps whose obs rows are [i, −i], action i, reward i, logProb −i, policyVersion versions[i]. */
function block(versions: number[], segments: TransitionBatch['segments']): TransitionBatch {
	const n = versions.length;
	const steps = allocSteps(n, dims);
	versions.forEach((v, i) => {
		steps.obs.set([i, -i], i * 2);
		steps.action[i] = steps.reward[i] = i;
		steps.logProb[i] = -i;
		steps.policyVersion[i] = v;
	});
	return { type: MessageType.TRANSITION_BATCH, seq: 0, n, ...dims, segments, ...steps };
}

const seg = (stepIndex: number, length: number, end: Partial<{ terminated: boolean; truncated: boolean }> = {}) => ({
	episodeId: 1,
	stepIndex,
	length,
	finalObs: new Float32Array([99, 99]),
	terminated: false,
	truncated: false,
	...end
});

describe('step columns', () => {
	it('allocate, copy and view every column at its width, and transfer each buffer once', () => {
		const src = block([1, 2, 3], [seg(0, 3)]);
		const dst = allocSteps(5, dims);
		copySteps(src, 1, 3, dst, 2, dims);
		assert.deepStrictEqual([...dst.obs], [0, 0, 0, 0, 1, -1, 2, -2, 0, 0]);
		assert.deepStrictEqual([...dst.policyVersion], [0, 0, 2, 3, 0]);
		const view = viewSteps(dst, 2, 4, dims);
		assert.equal(view.obs.buffer, dst.obs.buffer);
		assert.deepStrictEqual([...view.reward], [1, 2]);
		assert.equal(transferList(dst).length, STEP_COLUMNS.length);
	});
});

describe('segments', () => {
	it('a cut before the end drops the flags and bootstraps from the first step left out', () => {
		const b = block([1, 1, 1, 1], [seg(10, 4, { terminated: true })]);
		const head = cutSegment(b.segments[0], 0, 2, b, 0, dims);
		assert.deepStrictEqual(
			{ ...head, finalObs: [...head.finalObs] },
			{ episodeId: 1, stepIndex: 10, length: 2, finalObs: [2, -2], terminated: false, truncated: false }
		);
		const tail = cutSegment(b.segments[0], 2, 4, b, 0, dims);
		assert.equal(tail.stepIndex, 12);
		assert.equal(tail.terminated, true);
		assert.equal(tail.finalObs, b.segments[0].finalObs);
	});

	it('the stale filter keeps maximal fresh runs and counts the rest', () => {
		const runs: [number, number][] = [];
		const stale = freshRuns(Uint32Array.from([5, 2, 5, 6, 1, 7]), 0, 6, { min: 5, max: 7 }, (from, to) => runs.push([from, to]));
		assert.equal(stale, 2);
		assert.deepStrictEqual(runs, [
			[0, 1],
			[2, 4],
			[5, 6]
		]);
	});

	it('a version ahead of the current policy is stale too (a policy lost in a crash, or a false claim)', () => {
		const window = freshWindow(6, 2);
		assert.deepStrictEqual(window, { min: 4, max: 6 });
		const runs: [number, number][] = [];
		assert.equal(
			freshRuns(Uint32Array.from([4, 6, 7, 99, 5]), 0, 5, window, (from, to) => runs.push([from, to])),
			2
		);
		assert.deepStrictEqual(runs, [
			[0, 2],
			[4, 5]
		]);
	});

	it('per-step flags and next observations follow the segments', () => {
		const b = block([1, 1, 1], [seg(0, 2, { terminated: true }), seg(0, 1, { truncated: true })]);
		assert.deepStrictEqual(stepFlags(b), { terminated: Uint8Array.from([0, 1, 0]), truncated: Uint8Array.from([0, 0, 1]) });
		assert.deepStrictEqual([...nextObs(b.segments[0], b, 0, 0, dims)], [1, -1]);
		assert.equal(nextObs(b.segments[0], b, 0, 1, dims), b.segments[0].finalObs);
	});
});

describe('SegmentRecorder', () => {
	it('cuts one stream into segments that continue an episode, then starts the next', () => {
		const recorder = new SegmentRecorder(dims, 2);
		const push = (i: number) => recorder.push({ obs: Float32Array.from([i, -i]), action: Float32Array.from([i]), reward: i, logProb: -i, policyVersion: 3 });
		push(0);
		push(1);
		assert.equal(recorder.full, true);
		assert.throws(() => push(2), /flush first/);
		const first = recorder.flush(Float32Array.from([2, -2]), false, false)!;
		push(2);
		const second = recorder.flush(Float32Array.from([3, -3]), true, false)!;
		assert.deepStrictEqual(
			first.segments.map((s) => [s.episodeId, s.stepIndex, s.length]),
			[[0, 0, 2]]
		);
		assert.deepStrictEqual(
			second.segments.map((s) => [s.episodeId, s.stepIndex, s.length, s.terminated]),
			[[0, 2, 1, true]]
		);
		assert.deepStrictEqual([...second.obs], [2, -2]);
		assert.equal(recorder.flush(new Float32Array(2), false, false), undefined);
		recorder.nextEpisode();
		push(4);
		assert.deepStrictEqual(
			recorder.flush(new Float32Array(2), false, false)!.segments.map((s) => [s.episodeId, s.stepIndex]),
			[[1, 0]]
		);
	});
});

describe('on the wire', () => {
	const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true });
	const bodyOf = (frame: Uint8Array) => packr.unpack(frame.subarray(HEADER_BYTES)) as Record<string, unknown>;

	it('a batch carries exactly the model’s step columns', () => {
		const b = block([1, 1, 1, 1], [seg(0, 4)]);
		const keys = Object.keys(bodyOf(encodeMessage(b, { columns: 'raw' })));
		for (const column of STEP_COLUMNS) assert.ok(keys.includes(column.name), column.name);
		assert.ok(!keys.includes('value'));
	});

	it('an older actor’s `value` column is accepted and ignored', () => {
		const b = block([1, 1, 1, 1], [seg(0, 4)]);
		const frame = encodeMessage(b, { columns: 'raw' });
		const body = bodyOf(frame);
		body.value = new Uint8Array(16);
		const payload = packr.pack(body);
		const old = new Uint8Array(HEADER_BYTES + payload.length);
		old.set(frame.subarray(0, HEADER_BYTES));
		new DataView(old.buffer).setUint32(8, payload.length, true);
		old.set(payload, HEADER_BYTES);
		const back = decodeMessage(old) as TransitionBatch;
		assert.deepStrictEqual([...back.reward], [0, 1, 2, 3]);
		assert.equal('value' in back, false);
	});
});

it('src/lib/transitions imports nothing but itself', () => {
	const dir = new URL('../../../src/lib/transitions/', import.meta.url);
	for (const name of readdirSync(dir)) {
		const source = readFileSync(new URL(name, dir), 'utf8');
		for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) assert.match(match[1], /^\.\/[a-z-]+\.ts$/, `${name} imports ${match[1]}`);
		assert.doesNotMatch(source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''), /\b(process|Buffer|window|document)\b\s*[.([]/, name);
	}
});
