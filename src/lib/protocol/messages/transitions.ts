/**
 * TRANSITION / TRANSITION_BATCH (columnar trajectory segments), BATCH_ACK and EPISODE_SUMMARY.
 * A TRANSITION is a batch of exactly one step.
 */
import { assertFinite, type Body } from '../body.ts';
import { COMPRESS_THRESHOLD_BYTES } from '../frame.ts';
import { ColumnCoding, bytesOf, decodeWords, encodeWords } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { MessageType, type BatchAck, type EpisodeSummary, type Segment, type TransitionBatch } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

const U32_MAX = 0xffffffff;

/** Delta-shuffle pays off only when the frame will be deflated, i.e. when it is large. */
function codingFor(m: TransitionBatch): ColumnCoding {
	const rawBytes = m.n * (m.obsDim + m.actionDim + 4) * 4;
	return rawBytes >= COMPRESS_THRESHOLD_BYTES ? ColumnCoding.DELTA_SHUFFLE : ColumnCoding.RAW;
}

export const transitionBatchCodec: BodyCodec<TransitionBatch> = {
	encode(m) {
		const coding = codingFor(m);
		const words = (values: Float32Array | Uint32Array, dim: number) => encodeWords(values, m.n, dim, coding);
		return {
			seq: m.seq,
			n: m.n,
			obsDim: m.obsDim,
			actionDim: m.actionDim,
			coding,
			segments: m.segments.map((s) => ({
				episodeId: s.episodeId,
				stepIndex: s.stepIndex,
				length: s.length,
				finalObs: bytesOf(s.finalObs)
			})),
			obs: words(m.obs, m.obsDim),
			action: words(m.action, m.actionDim),
			reward: words(m.reward, 1),
			logProb: words(m.logProb, 1),
			value: words(m.value, 1),
			policyVersion: words(m.policyVersion, 1),
			terminated: bytesOf(m.terminated),
			truncated: bytesOf(m.truncated)
		};
	},

	decode(b, type) {
		const { limits } = b;
		const single = type === MessageType.TRANSITION;
		const seq = b.int('seq');
		const n = b.int('n', 1, single ? 1 : limits.maxBatchSteps);
		const obsDim = b.int('obsDim', 1, limits.maxObsDim);
		const actionDim = b.int('actionDim', 1, limits.maxActionDim);
		const coding = b.int('coding', 0, 1);
		const segments = decodeSegments(b, n, obsDim, single ? 1 : limits.maxSegments);

		const floats = (key: string, dim: number) => {
			const out = decodeWords(b.bin(key), new Float32Array(n * dim), n, dim, coding, b.path(key));
			assertFinite(out, b.path(key));
			return out;
		};
		const obs = floats('obs', obsDim);
		const action = floats('action', actionDim);
		const reward = floats('reward', 1);
		const logProb = floats('logProb', 1);
		const value = floats('value', 1);
		const policyVersion = decodeWords(b.bin('policyVersion'), new Uint32Array(n), n, 1, coding, b.path('policyVersion'));
		const terminated = flags(b, 'terminated', n);
		const truncated = flags(b, 'truncated', n);
		checkEpisodeEnds(segments, terminated, truncated, b);

		return { type, seq, n, obsDim, actionDim, segments, obs, action, reward, terminated, truncated, logProb, value, policyVersion } as TransitionBatch;
	}
};

function decodeSegments(b: Body, n: number, obsDim: number, maxSegments: number): Segment[] {
	const segments = b.maps('segments', maxSegments).map((s) => ({
		episodeId: s.int('episodeId'),
		stepIndex: s.int('stepIndex'),
		length: s.int('length', 1, n),
		finalObs: s.f32('finalObs', obsDim)
	}));
	if (segments.length === 0) fail(ErrorCode.INVALID_FIELD, `${b.path('segments')} is empty`);
	const total = segments.reduce((sum, s) => sum + s.length, 0);
	if (total !== n) fail(ErrorCode.INVALID_FIELD, `segment lengths add up to ${total}, n is ${n}`);
	return segments;
}

function flags(b: Body, key: string, n: number): Uint8Array {
	const out = b.bin(key, n).slice();
	for (let i = 0; i < n; i++) {
		if (out[i] > 1) fail(ErrorCode.INVALID_FIELD, `${b.path(key)}[${i}] = ${out[i]} must be 0 or 1`);
	}
	return out;
}

/** An episode ends only at the end of a segment: otherwise the next obs would belong to another episode. */
function checkEpisodeEnds(segments: Segment[], terminated: Uint8Array, truncated: Uint8Array, b: Body): void {
	let start = 0;
	for (const segment of segments) {
		const last = start + segment.length - 1;
		for (let i = start; i < last; i++) {
			if (terminated[i] || truncated[i]) {
				fail(ErrorCode.INVALID_FIELD, `${b.path('terminated')}: step ${i} ends its episode but is not the last step of its segment`);
			}
		}
		start = last + 1;
	}
}

export const batchAckCodec: BodyCodec<BatchAck> = {
	encode: (m) => ({ seq: m.seq }),
	decode: (b) => ({ type: MessageType.BATCH_ACK, seq: b.int('seq', -1) })
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
		lapTimesMs: b.numbers('lapTimesMs'),
		cleanLaps: b.int('cleanLaps'),
		policyVersion: b.int('policyVersion', 0, U32_MAX)
	})
};
