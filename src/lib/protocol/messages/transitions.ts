/**
 * TRANSITION / TRANSITION_BATCH (columnar trajectory segments), BATCH_ACK and EPISODE_SUMMARY.
 * A TRANSITION is a batch of exactly one step. The step columns come from the transition model
 * (src/lib/transitions): each is one coded `bin` under its name.
 */
import { assertFinite, assertWithin, type Body } from '../body.ts';
import { ColumnCoding, bytesOf, decodeWords, encodeWords } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { STEP_COLUMNS, widthOf, type Segment, type StepColumns } from '../../transitions/index.ts';
import { MessageType, U32_MAX, type BatchAck, type EpisodeSummary, type TransitionBatch } from '../types.ts';
import type { BodyCodec, ColumnMode } from './codec-types.ts';

/** Rice coding pays off from a handful of steps; a single step stays raw. */
const RICE_MIN_STEPS = 4;

export const transitionBatchCodec: BodyCodec<TransitionBatch> = {
	// Columns are already entropy-coded: DEFLATE would cost time and save nothing.
	compress: () => 'never',

	encode(m, columns: ColumnMode) {
		const coding = columns === 'compact' && m.n >= RICE_MIN_STEPS ? ColumnCoding.PRED_RICE : ColumnCoding.RAW;
		const body: Record<string, unknown> = {
			seq: m.seq,
			n: m.n,
			obsDim: m.obsDim,
			actionDim: m.actionDim,
			coding,
			segments: m.segments.map((s) => ({
				episodeId: s.episodeId,
				stepIndex: s.stepIndex,
				length: s.length,
				finalObs: bytesOf(s.finalObs),
				terminated: s.terminated,
				truncated: s.truncated
			}))
		};
		for (const column of STEP_COLUMNS) body[column.name] = encodeWords(m[column.name], m.n, widthOf(column, m), coding);
		return body;
	},

	decode(b, type) {
		const { limits } = b;
		const single = type === MessageType.TRANSITION;
		const seq = b.int('seq');
		const n = b.int('n', 1, single ? 1 : limits.maxBatchSteps);
		const obsDim = b.int('obsDim', 1, limits.maxObsDim);
		const actionDim = b.int('actionDim', 1, limits.maxActionDim);
		const coding = b.int('coding', 0, 0xff); // unknown codings are refused by decodeWords
		const segments = decodeSegments(b, n, obsDim, single ? 1 : limits.maxSegments);

		const steps: Record<string, Float32Array | Uint32Array> = {};
		const dims = { obsDim, actionDim };
		for (const column of STEP_COLUMNS) {
			const width = widthOf(column, dims);
			const path = b.path(column.name);
			const target = column.type === 'f32' ? new Float32Array(n * width) : new Uint32Array(n * width);
			steps[column.name] = decodeWords(b.bin(column.name), target, n, width, coding, path);
			if (column.name === 'reward') assertWithin(steps.reward, limits.maxAbsReward, path, 'maxAbsReward');
			else if (column.name === 'obs' || column.name === 'action') assertWithin(steps[column.name], limits.maxAbsObs, path, 'maxAbsObs');
			else if (column.type === 'f32') assertFinite(steps[column.name], path);
		}
		return { type, seq, n, obsDim, actionDim, segments, ...(steps as StepColumns) } as TransitionBatch;
	}
};

/** A lap takes (0, 1 h]: anything else is not a lap time. */
const MAX_LAP_MS = 3_600_000;

function lapTimes(b: Body): number[] {
	const laps = b.numbers('lapTimesMs', b.limits.maxLapTimes);
	laps.forEach((ms, i) =>
		ms > 0 && ms <= MAX_LAP_MS ? undefined : fail(ErrorCode.INVALID_FIELD, `${b.path('lapTimesMs')}[${i}] = ${ms} ms is not a lap time (0, ${MAX_LAP_MS}]`)
	);
	return laps;
}

function within(values: Float32Array, max: number, path: string): Float32Array {
	assertWithin(values, max, path, 'maxAbsObs');
	return values;
}

function decodeSegments(b: Body, n: number, obsDim: number, maxSegments: number): Segment[] {
	const segments = b.maps('segments', maxSegments).map((s) => ({
		episodeId: s.int('episodeId'),
		stepIndex: s.int('stepIndex'),
		length: s.int('length', 1, n),
		finalObs: within(s.f32('finalObs', obsDim), b.limits.maxAbsObs, s.path('finalObs')),
		terminated: s.bool('terminated'),
		truncated: s.bool('truncated')
	}));
	if (segments.length === 0) fail(ErrorCode.INVALID_FIELD, `${b.path('segments')} is empty`);
	const total = segments.reduce((sum, s) => sum + s.length, 0);
	if (total !== n) fail(ErrorCode.INVALID_FIELD, `segment lengths add up to ${total}, n is ${n}`);
	return segments;
}

export const batchAckCodec: BodyCodec<BatchAck> = {
	encode: (m) => (m.durable === undefined ? { seq: m.seq } : { seq: m.seq, durable: m.durable }),
	decode: (b) => {
		const seq = b.int('seq', -1);
		return b.has('durable') ? { type: MessageType.BATCH_ACK, seq, durable: b.int('durable', -1) } : { type: MessageType.BATCH_ACK, seq };
	}
};

export const episodeSummaryCodec: BodyCodec<EpisodeSummary> = {
	encode: ({ type: _type, ...fields }) => fields,
	decode: (b) => ({
		type: MessageType.EPISODE_SUMMARY,
		episodeId: b.int('episodeId'),
		return: b.num('return'),
		length: b.int('length'),
		endReason: b.str('endReason'),
		terminated: b.bool('terminated'),
		truncated: b.bool('truncated'),
		lapTimesMs: lapTimes(b),
		cleanLaps: b.int('cleanLaps'),
		policyVersion: b.int('policyVersion', 0, U32_MAX),
		...(b.has('evalId') ? { evalId: b.int('evalId', 1, U32_MAX) } : {})
	})
};
