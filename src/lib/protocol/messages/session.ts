/** HANDSHAKE, HANDSHAKE_ACCEPT and ERROR bodies. */
import { Body, assertFinite, type Fields } from '../body.ts';
import { bytesOf } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { INFERENCE_MODES, MessageType, type ErrorMessage, type Handshake, type HandshakeAccept, type VectorSpec } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

const MAX_CONTROL_HZ = 1000;
const MAX_CLOSE_CODE = 4999;

function encodeSpec(spec: VectorSpec): Fields {
	return { dim: spec.dim, names: spec.names, low: bytesOf(spec.low), high: bytesOf(spec.high) };
}

function decodeSpec(body: Body, maxDim: number, finiteBounds: boolean): VectorSpec {
	const dim = body.int('dim', 1, maxDim);
	const names = body.strings('names', dim);
	const low = body.f32('low', dim, false);
	const high = body.f32('high', dim, false);
	if (finiteBounds) {
		assertFinite(low, body.path('low'));
		assertFinite(high, body.path('high'));
	}
	for (let i = 0; i < dim; i++) {
		if (!(low[i] <= high[i])) fail(ErrorCode.INVALID_FIELD, `${body.path('low')}[${i}] = ${low[i]} is not ≤ high ${high[i]}`);
	}
	return { dim, names, low, high };
}

export const handshakeCodec: BodyCodec<Handshake> = {
	encode: (m) => ({
		protocolVersion: m.protocolVersion,
		token: m.token,
		actorId: m.actorId,
		actorName: m.actorName,
		mode: m.mode,
		controlHz: m.controlHz,
		obsSpec: encodeSpec(m.obsSpec),
		actionSpec: encodeSpec(m.actionSpec),
		source: m.source,
		agentVersion: m.agentVersion
	}),
	decode: (b) => ({
		type: MessageType.HANDSHAKE,
		protocolVersion: b.int('protocolVersion', 0, 0xffff),
		token: b.str('token'),
		actorId: b.str('actorId'),
		actorName: b.str('actorName'),
		mode: b.str('mode', INFERENCE_MODES) as Handshake['mode'],
		controlHz: positive(b, 'controlHz', MAX_CONTROL_HZ),
		obsSpec: decodeSpec(b.map('obsSpec'), b.limits.maxObsDim, false),
		actionSpec: decodeSpec(b.map('actionSpec'), b.limits.maxActionDim, true),
		source: b.str('source'),
		agentVersion: b.str('agentVersion')
	})
};

function positive(b: Body, key: string, max: number): number {
	const value = b.num(key);
	if (!(value > 0 && value <= max)) fail(ErrorCode.INVALID_FIELD, `${b.path(key)} = ${value} must be in (0, ${max}]`);
	return value;
}

export const handshakeAcceptCodec: BodyCodec<HandshakeAccept> = {
	encode: ({ type: _type, ...fields }) => fields,
	decode: (b) => ({
		...(b.has('durableSeq') ? { durableSeq: b.int('durableSeq', -1) } : {}),
		type: MessageType.HANDSHAKE_ACCEPT,
		protocolVersion: b.int('protocolVersion', 0, 0xffff),
		sessionId: b.str('sessionId'),
		runId: b.str('runId'),
		policyVersion: b.int('policyVersion'),
		heartbeatIntervalMs: b.int('heartbeatIntervalMs', 1),
		lastSeq: b.int('lastSeq', -1),
		controlChunk: b.int('controlChunk', 1, b.limits.maxControlChunk),
		maxFrameBytes: b.int('maxFrameBytes', 1),
		maxBatchSteps: b.int('maxBatchSteps', 1),
		telemetryHz: positive(b, 'telemetryHz', MAX_CONTROL_HZ)
	})
};

export const errorCodec: BodyCodec<ErrorMessage> = {
	encode: ({ type: _type, ...fields }) => fields,
	decode: (b) => ({
		type: MessageType.ERROR,
		code: b.str('code'),
		message: b.str('message'),
		fatal: b.bool('fatal'),
		closeCode: b.int('closeCode', 0, MAX_CLOSE_CODE)
	})
};
