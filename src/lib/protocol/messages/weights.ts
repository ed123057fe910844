/** WEIGHTS_UPDATE (manifest + one contiguous float32 buffer), WEIGHTS_ACK and EVALUATE. */
import { assertFinite, type Body, type Fields } from '../body.ts';
import { bytesOf } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { MAX_EVAL_EPISODES, MessageType, U32_MAX, type Evaluate, type ObsNormStats, type TensorEntry, type WeightsAck, type WeightsUpdate } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

const MAX_RANK = 4;

function encodeObsNorm(stats: ObsNormStats): Fields {
	return { mean: bytesOf(stats.mean), var: bytesOf(stats.var), count: stats.count, clip: stats.clip, epsilon: stats.epsilon };
}

function decodeObsNorm(b: Body): ObsNormStats {
	const dim = b.bin('mean').length / 4;
	if (!Number.isInteger(dim) || dim < 1 || dim > b.limits.maxObsDim) {
		fail(ErrorCode.INVALID_FIELD, `${b.path('mean')} must hold 1…${b.limits.maxObsDim} float32`);
	}
	const stats = { mean: b.f32('mean', dim), var: b.f32('var', dim), count: b.num('count'), clip: b.num('clip'), epsilon: b.num('epsilon') };
	for (let i = 0; i < dim; i++) {
		if (stats.var[i] < 0) fail(ErrorCode.INVALID_FIELD, `${b.path('var')}[${i}] is negative`);
	}
	if (stats.count < 0 || stats.clip <= 0 || stats.epsilon < 0) fail(ErrorCode.INVALID_FIELD, `${b.path('count')}/clip/epsilon out of range`);
	return stats;
}

function decodeTensors(b: Body): { tensors: TensorEntry[]; floats: number } {
	let floats = 0;
	const tensors = b.maps('tensors', b.limits.maxTensors).map((t) => {
		const shape = t.list('shape', MAX_RANK).map((d, i) => {
			if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) fail(ErrorCode.INVALID_FIELD, `${t.path('shape')}[${i}] must be a positive integer`);
			return d;
		});
		const size = shape.reduce((a, d) => a * d, 1);
		floats += size;
		if (floats > b.limits.maxWeightFloats) {
			fail(ErrorCode.LIMIT_EXCEEDED, `weights exceed maxWeightFloats ${b.limits.maxWeightFloats}`);
		}
		return { name: t.str('name'), shape };
	});
	return { tensors, floats };
}

export const weightsUpdateCodec: BodyCodec<WeightsUpdate> = {
	encode: ({ manifest, data }) => {
		const m: Fields = {
			policyVersion: manifest.policyVersion,
			dtype: manifest.dtype,
			tensors: manifest.tensors.map((t) => ({ name: t.name, shape: t.shape })),
			architecture: manifest.architecture
		};
		if (manifest.obsNorm) m.obsNorm = encodeObsNorm(manifest.obsNorm);
		return { manifest: m, data: bytesOf(data) };
	},
	decode(b) {
		const mb = b.map('manifest');
		const { tensors, floats } = decodeTensors(mb);
		const manifest: WeightsUpdate['manifest'] = {
			policyVersion: mb.int('policyVersion', 0, U32_MAX),
			dtype: mb.str('dtype', ['float32']) as 'float32',
			tensors,
			architecture: mb.str('architecture')
		};
		if (mb.has('obsNorm')) manifest.obsNorm = decodeObsNorm(mb.map('obsNorm'));
		const data = b.f32('data', floats, false);
		assertFinite(data, b.path('data'));
		return { type: MessageType.WEIGHTS_UPDATE, manifest, data };
	}
};

export const weightsAckCodec: BodyCodec<WeightsAck> = {
	encode: (m) => ({ policyVersion: m.policyVersion, error: m.error }),
	decode: (b) => ({ type: MessageType.WEIGHTS_ACK, policyVersion: b.int('policyVersion', 0, U32_MAX), error: b.str('error') })
};

export const evaluateCodec: BodyCodec<Evaluate> = {
	encode: (m) => ({ evalId: m.evalId, episodes: m.episodes, record: m.record }),
	decode: (b) => ({
		type: MessageType.EVALUATE,
		evalId: b.int('evalId', 1, U32_MAX),
		episodes: b.int('episodes', 1, MAX_EVAL_EPISODES),
		record: b.bool('record')
	})
};
