/** CONTROL (one action) and CONTROL_BATCH (a chunk of k actions for remote inference). */
import { bytesOf } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { MessageType, U32_MAX, type Control, type ControlBatch } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

export const controlCodec: BodyCodec<Control> = {
	encode: (m) => ({
		requestId: m.requestId,
		policyVersion: m.policyVersion,
		action: bytesOf(m.action),
		logProb: m.logProb,
		value: m.value
	}),
	decode(b) {
		const bytes = b.bin('action');
		const dim = bytes.length / 4;
		if (!Number.isInteger(dim) || dim < 1 || dim > b.limits.maxActionDim) {
			fail(ErrorCode.INVALID_FIELD, `${b.path('action')} must hold 1…${b.limits.maxActionDim} float32, has ${bytes.length} bytes`);
		}
		return {
			type: MessageType.CONTROL,
			requestId: b.int('requestId', 0, U32_MAX),
			policyVersion: b.int('policyVersion', 0, U32_MAX),
			action: b.f32('action', dim),
			logProb: b.num('logProb'),
			value: b.num('value')
		};
	}
};

export const controlBatchCodec: BodyCodec<ControlBatch> = {
	encode: (m) => ({
		requestId: m.requestId,
		policyVersion: m.policyVersion,
		k: m.k,
		actionDim: m.actionDim,
		actions: bytesOf(m.actions),
		logProb: bytesOf(m.logProb),
		value: bytesOf(m.value)
	}),
	decode(b) {
		const k = b.int('k', 1, b.limits.maxControlChunk);
		const actionDim = b.int('actionDim', 1, b.limits.maxActionDim);
		return {
			type: MessageType.CONTROL_BATCH,
			requestId: b.int('requestId', 0, U32_MAX),
			policyVersion: b.int('policyVersion', 0, U32_MAX),
			k,
			actionDim,
			actions: b.f32('actions', k * actionDim),
			logProb: b.f32('logProb', k),
			value: b.f32('value', k)
		};
	}
};
