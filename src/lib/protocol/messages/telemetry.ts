/** TELEMETRY (one frame, optional observation for remote inference) and TELEMETRY_BATCH (columns). */
import { assertWithin, type Body, type Fields } from '../body.ts';
import { bytesOf } from '../columns.ts';
import { ErrorCode, fail } from '../errors.ts';
import { MessageType, TELEMETRY_FIELDS, type Telemetry, type TelemetryBatch, type TelemetryFrame } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

export const telemetryCodec: BodyCodec<Telemetry> = {
	encode(m) {
		const fields: Fields = { ...m.frame, requestId: m.requestId };
		if (m.obs) fields.obs = bytesOf(m.obs);
		return fields;
	},
	decode(b) {
		const frame = {} as TelemetryFrame;
		for (const key of TELEMETRY_FIELDS) frame[key] = b.num(key);
		const message: Telemetry = { type: MessageType.TELEMETRY, frame, requestId: b.int('requestId', 0, 0xffffffff) };
		if (b.has('obs')) {
			const bytes = b.bin('obs');
			if (bytes.length % 4 !== 0) fail(ErrorCode.INVALID_FIELD, `${b.path('obs')} has ${bytes.length} bytes, not a whole number of float32`);
			if (bytes.length / 4 > b.limits.maxObsDim) fail(ErrorCode.LIMIT_EXCEEDED, `${b.path('obs')} has more than maxObsDim floats`);
			message.obs = b.f32('obs', bytes.length / 4);
			assertWithin(message.obs, b.limits.maxAbsObs, b.path('obs'), 'maxAbsObs');
		}
		return message;
	}
};

export const telemetryBatchCodec: BodyCodec<TelemetryBatch> = {
	encode(m) {
		const columns: Fields = {};
		for (const key of TELEMETRY_FIELDS) columns[key] = bytesOf(m.columns[key]);
		return { n: m.n, columns };
	},
	decode(b: Body) {
		const n = b.int('n', 1, b.limits.maxBatchSteps);
		const c = b.map('columns');
		const columns = {} as TelemetryBatch['columns'];
		for (const key of TELEMETRY_FIELDS) columns[key] = c.f64(key, n);
		return { type: MessageType.TELEMETRY_BATCH, n, columns };
	}
};
