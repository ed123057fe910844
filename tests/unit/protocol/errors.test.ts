import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'fflate';
import { Packr } from 'msgpackr';
import {
	CloseCode,
	Decoder,
	ErrorCode,
	MessageType,
	ProtocolError,
	decodeMessage,
	encodeMessage,
	errorMessage,
	type EpisodeSummary,
	type Evaluate,
	type LapReport,
	type TrackDescription,
	type Message,
	type TransitionBatch
} from '../../../src/lib/protocol/index.ts';
import { pongCodec } from '../../../src/lib/protocol/messages/heartbeat.ts';
import { writeFrame } from '../../../src/lib/protocol/frame.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';
import { trajectoryBatch } from '../../fixtures/trajectory.ts';

const packr = new Packr({ useRecords: false, variableMapSize: true });

function rejects(frame: Uint8Array, code: string, closeCode?: number, decoder = new Decoder()): void {
	assert.throws(
		() => decoder.decode(frame),
		(error: { name: string; code: string; closeCode: number }) => {
			assert.equal(error.name, 'ProtocolError');
			assert.equal(error.code, code);
			if (closeCode !== undefined) assert.equal(error.closeCode, closeCode);
			return true;
		}
	);
}

function patched(message: Message, patch: (fields: Record<string, unknown>) => void): Uint8Array {
	const frame = encodeMessage(message, { compress: 'never' });
	const fields = packr.unpack(frame.subarray(12)) as Record<string, unknown>;
	patch(fields);
	return writeFrame(message.type, packr.pack(fields), 'never');
}

const ping = encodeMessage(SAMPLE_MESSAGES.ping);

describe('frame errors', () => {
	it('truncated header', () => rejects(ping.subarray(0, 7), 'TRUNCATED', CloseCode.PROTOCOL_ERROR));
	it('truncated payload', () => rejects(ping.subarray(0, ping.length - 1), 'TRUNCATED'));
	it('trailing bytes', () => rejects(Uint8Array.from([...ping, 0]), 'TRUNCATED'));
	it('bad magic', () =>
		rejects(
			Uint8Array.from(ping, (b, i) => (i === 0 ? 0x51 : b)),
			'BAD_MAGIC'
		));
	it('wrong version', () =>
		rejects(
			Uint8Array.from(ping, (b, i) => (i === 2 ? 2 : b)),
			'VERSION_MISMATCH',
			CloseCode.VERSION_MISMATCH
		));
	it('wrong type', () =>
		rejects(
			Uint8Array.from(ping, (b, i) => (i === 3 ? 99 : b)),
			'UNKNOWN_TYPE',
			CloseCode.PROTOCOL_ERROR
		));
	it('reserved flag bits', () =>
		rejects(
			Uint8Array.from(ping, (b, i) => (i === 4 ? 0x80 : b)),
			'BAD_FLAGS'
		));
	it('reserved bytes', () =>
		rejects(
			Uint8Array.from(ping, (b, i) => (i === 6 ? 1 : b)),
			'BAD_FLAGS'
		));
	it('frame over maxFrameBytes', () =>
		rejects(encodeMessage(SAMPLE_MESSAGES.transitionBatchLarge), 'LIMIT_EXCEEDED', CloseCode.MESSAGE_TOO_BIG, new Decoder({ maxFrameBytes: 1000 })));
	it('garbage body', () => rejects(writeFrame(MessageType.PING, Uint8Array.of(0xc1, 0xff, 0x00)), 'MALFORMED', CloseCode.INVALID_PAYLOAD));
	it('a body that is not a map', () => rejects(writeFrame(MessageType.PING, packr.pack([1, 2])), 'INVALID_FIELD'));
	it('corrupt deflate stream', () => {
		const frame = encodeMessage(SAMPLE_MESSAGES.weightsUpdate, { compress: 'always' });
		frame.fill(0xff, 14, 30);
		rejects(frame, 'DECOMPRESSION_FAILED');
	});
});

describe('decompression bomb', () => {
	const bomb = deflateSync(new Uint8Array(32 * 1024 * 1024)); // 32 MiB of zeros in ~32 KiB
	function frameDeclaring(bytes: number): Uint8Array {
		const frame = new Uint8Array(12 + bomb.length);
		frame.set([0x50, 0x57, 1, MessageType.PING, 1]);
		new DataView(frame.buffer).setUint32(8, bytes, true);
		frame.set(bomb, 12);
		return frame;
	}
	it('a declared size over the limit is refused before inflating', () => rejects(frameDeclaring(0xffffffff), 'LIMIT_EXCEEDED'));
	it('a stream that inflates past its declared size is stopped', () => rejects(frameDeclaring(64), 'DECOMPRESSION_FAILED'));
	it('a stream shorter than declared is refused', () => {
		const frame = encodeMessage(SAMPLE_MESSAGES.transitionBatchLarge, { compress: 'always' });
		new DataView(frame.buffer).setUint32(8, new DataView(frame.buffer).getUint32(8, true) + 1, true);
		rejects(frame, 'DECOMPRESSION_FAILED');
	});
});

describe('field validation', () => {
	const batch = SAMPLE_MESSAGES.transitionBatchSmall;
	it('NaN observation', () => {
		const bad = trajectoryBatch(10, 1);
		bad.obs[17] = NaN;
		rejects(encodeMessage(bad), 'NON_FINITE', CloseCode.INVALID_PAYLOAD);
	});
	it('infinite reward in a compressed batch', () => {
		const bad = trajectoryBatch(200, 1);
		bad.reward[150] = Infinity;
		rejects(encodeMessage(bad), 'NON_FINITE');
	});
	it('a finite but absurd reward (3e38, which poisoned the policy) or observation', () => {
		const bad = trajectoryBatch(200, 1);
		bad.reward[150] = 3e38;
		rejects(encodeMessage(bad), 'INVALID_FIELD', CloseCode.INVALID_PAYLOAD);
		const obs = trajectoryBatch(10, 1);
		obs.obs[3] = -2e6;
		rejects(encodeMessage(obs), 'INVALID_FIELD');
		const final = trajectoryBatch(10, 1);
		final.segments[0].finalObs[0] = 1e30;
		rejects(encodeMessage(final), 'INVALID_FIELD');
		const edge = trajectoryBatch(10, 1);
		edge.reward[0] = -1e6; // the bound itself is accepted
		assert.equal(decodeMessage(encodeMessage(edge)).type, MessageType.TRANSITION_BATCH);
	});
	it('lap times: at most maxLapTimes of them, each a real lap (1024 made the summaries a disk filler)', () => {
		const summary = { ...(SAMPLE_MESSAGES.episodeSummary as EpisodeSummary) };
		rejects(encodeMessage({ ...summary, lapTimesMs: new Array(65).fill(60_000) }), 'LIMIT_EXCEEDED');
		rejects(encodeMessage({ ...summary, lapTimesMs: [60_000, -1] }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...summary, lapTimesMs: [1e12] }), 'INVALID_FIELD');
		assert.equal(decodeMessage(encodeMessage({ ...summary, lapTimesMs: new Array(64).fill(60_000) })).type, MessageType.EPISODE_SUMMARY);
	});
	it('EVALUATE: 1…16 episodes, an evalId ≥ 1; an EPISODE_SUMMARY’s evalId likewise', () => {
		const evaluate = SAMPLE_MESSAGES.evaluate as Evaluate;
		for (const episodes of [0, 1.5]) rejects(encodeMessage({ ...evaluate, episodes }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...evaluate, episodes: 17 }), 'LIMIT_EXCEEDED');
		rejects(encodeMessage({ ...evaluate, evalId: 0 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...(SAMPLE_MESSAGES.episodeSummaryEval as EpisodeSummary), evalId: -3 }), 'INVALID_FIELD');
		assert.equal(decodeMessage(encodeMessage({ ...evaluate, episodes: 16 })).type, MessageType.EVALUATE);
	});
	it('TRACK: a named closed line within the limits, sectors ascending in (0, 1)', () => {
		const track = SAMPLE_MESSAGES.track as TrackDescription;
		rejects(encodeMessage({ ...track, name: ' ' }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, lengthM: 0 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, halfWidthM: 1e9 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, sectors: [0.6, 0.3] }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, sectors: [0.5, 1] }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, sectors: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }), 'LIMIT_EXCEEDED');
		rejects(encodeMessage({ ...track, x: Float32Array.of(0, 1), z: Float32Array.of(0, 1) }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...track, x: Float32Array.of(0, NaN, 1, 2) }), 'NON_FINITE');
		rejects(encodeMessage({ ...track, z: Float32Array.of(0, 1, 2) }), 'INVALID_FIELD'); // 3 z for 4 x
		rejects(encodeMessage({ ...track, x: Float32Array.of(0, 3e7, 1, 2) }), 'INVALID_FIELD');
		const big = new Float32Array(8193);
		rejects(encodeMessage({ ...track, x: big, z: big }), 'LIMIT_EXCEEDED');
		assert.equal(decodeMessage(encodeMessage({ ...track, sectors: [] })).type, MessageType.TRACK);
	});
	it('LAP: a real lap time, sectors that add up to it, a sane speed and trace', () => {
		const lap = SAMPLE_MESSAGES.lap as LapReport;
		const trace = lap.trace!;
		rejects(encodeMessage({ ...lap, timeMs: 0 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, timeMs: 3_600_001 }), 'LIMIT_EXCEEDED');
		rejects(encodeMessage({ ...lap, lap: 0 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, sectorsMs: [16000, 15125, 16000] }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, sectorsMs: [50000, -1875] }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, sectorsMs: new Array(9).fill(48125 / 9) }), 'LIMIT_EXCEEDED');
		rejects(encodeMessage({ ...lap, maxSpeedKmh: 3e38 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, evalId: 0 }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, trace: { ...trace, speedKmh: Float32Array.of(100, -5, 3) } }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, trace: { ...trace, steer: Float32Array.of(0, Infinity, 0) } }), 'NON_FINITE');
		rejects(encodeMessage({ ...lap, trace: { ...trace, n: 4 } }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, trace: { ...trace, hz: 0 } }), 'INVALID_FIELD');
		const long = new Float32Array(16385);
		const columns = { x: long, z: long, speedKmh: long, steer: long, throttle: long, brake: long };
		rejects(encodeMessage({ ...lap, trace: { hz: 10, n: long.length, ...columns } }), 'LIMIT_EXCEEDED');
		assert.equal(decodeMessage(encodeMessage({ ...lap, sectorsMs: [16000.5, 15124.5, 17001] })).type, MessageType.LAP); // rounding: ±1 ms per sector
	});
	it('LAP trace tyresOut: bin u8[n], each 0 … 4', () => {
		const lap = SAMPLE_MESSAGES.lapTyresOut as LapReport;
		const trace = lap.trace!;
		rejects(encodeMessage({ ...lap, trace: { ...trace, tyresOut: Uint8Array.of(0, 1, 5, 0) } }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, trace: { ...trace, tyresOut: Uint8Array.of(0, 1, 2) } }), 'INVALID_FIELD'); // 3 for n = 4
		rejects(encodeMessage({ ...lap, trace: { ...trace, tyresOut: Uint8Array.of(0, 1, 2, 3, 4) } }), 'INVALID_FIELD');
		rejects(encodeMessage({ ...lap, trace: { ...trace, tyresOut: Float32Array.of(0, 1, 2, 3) as unknown as Uint8Array } }), 'INVALID_FIELD'); // 16 bytes
		rejects(
			patched(lap, (fields) => ((fields.trace as Record<string, unknown>).tyresOut = [0, 1, 2, 3])),
			'INVALID_FIELD'
		); // a list, not bin
		const decoded = decodeMessage(encodeMessage({ ...lap, trace: { ...trace, tyresOut: Uint8Array.of(4, 4, 4, 4) } })) as LapReport;
		assert.deepStrictEqual(decoded.trace!.tyresOut, Uint8Array.of(4, 4, 4, 4));
	});
	it('NaN in weights', () => {
		const bad = structuredClone(SAMPLE_MESSAGES.weightsUpdate);
		if (bad.type !== MessageType.WEIGHTS_UPDATE) throw new Error('fixture');
		bad.data[2] = NaN;
		rejects(encodeMessage(bad), 'NON_FINITE');
	});
	it('infinite action bound in a handshake', () => {
		const bad = structuredClone(SAMPLE_MESSAGES.handshake);
		if (bad.type !== MessageType.HANDSHAKE) throw new Error('fixture');
		bad.actionSpec.high[0] = Infinity;
		rejects(encodeMessage(bad), 'NON_FINITE');
	});
	it('NaN scalar', () => rejects(encodeMessage({ type: MessageType.PONG, seq: 1, t: NaN }), 'NON_FINITE'));
	it('missing field', () =>
		rejects(
			patched(batch, (f) => delete f.reward),
			'INVALID_FIELD'
		));
	it('wrong field type', () =>
		rejects(
			patched(batch, (f) => (f.n = 'five')),
			'INVALID_FIELD'
		));
	it('column length that contradicts n × dim', () =>
		rejects(
			patched(batch, (f) => (f.obs = (f.obs as Uint8Array).subarray(4))),
			'INVALID_FIELD'
		));
	it('segments that do not add up to n', () =>
		rejects(
			patched(batch, (f) => ((f.segments as { length: number }[])[1].length = 1)),
			'INVALID_FIELD'
		));
	it('segment flag that is not a boolean', () =>
		rejects(
			patched(batch, (f) => ((f.segments as { truncated: unknown }[])[0].truncated = 1)),
			'INVALID_FIELD'
		));
	it('coded column with trailing bytes', () =>
		rejects(
			patched(SAMPLE_MESSAGES.transitionBatchLarge, (f) => (f.reward = Uint8Array.from([...(f.reward as Uint8Array), 0]))),
			'INVALID_FIELD'
		));
	it('coded column cut short', () =>
		rejects(
			patched(SAMPLE_MESSAGES.transitionBatchLarge, (f) => (f.obs = (f.obs as Uint8Array).subarray(0, 100))),
			'INVALID_FIELD'
		));
	it('unknown column coding', () =>
		rejects(
			patched(SAMPLE_MESSAGES.transitionBatchLarge, (f) => (f.coding = 7)),
			'INVALID_FIELD'
		));
	it('TRANSITION with more than one step', () =>
		rejects(
			patched({ ...(batch as TransitionBatch), type: MessageType.TRANSITION }, () => {}),
			'LIMIT_EXCEEDED'
		));
	it('batch over maxBatchSteps', () =>
		rejects(encodeMessage(trajectoryBatch(100, 1)), 'LIMIT_EXCEEDED', CloseCode.MESSAGE_TOO_BIG, new Decoder({ maxBatchSteps: 99 })));
	it('obs dim over maxObsDim', () => rejects(encodeMessage(batch), 'LIMIT_EXCEEDED', undefined, new Decoder({ maxObsDim: 14 })));
	it('string over maxStringLength', () => rejects(encodeMessage({ ...SAMPLE_MESSAGES.error, message: 'x'.repeat(300) } as Message), 'LIMIT_EXCEEDED'));
	it('list over maxListLength', () =>
		rejects(encodeMessage({ ...SAMPLE_MESSAGES.episodeSummary, lapTimesMs: new Array(2000).fill(1) } as Message), 'LIMIT_EXCEEDED'));
	it('control chunk over maxControlChunk', () =>
		rejects(encodeMessage(SAMPLE_MESSAGES.controlBatch), 'LIMIT_EXCEEDED', undefined, new Decoder({ maxControlChunk: 1 })));
	it('weights over maxWeightFloats', () =>
		rejects(encodeMessage(SAMPLE_MESSAGES.weightsUpdate), 'LIMIT_EXCEEDED', undefined, new Decoder({ maxWeightFloats: 8 })));
	it('unknown inference mode', () =>
		rejects(
			patched(SAMPLE_MESSAGES.handshake, (f) => (f.mode = 'telepathy')),
			'INVALID_FIELD'
		));
	it('action low above high', () =>
		rejects(
			patched(SAMPLE_MESSAGES.handshake, (f) => ((f.actionSpec as { low: Uint8Array }).low = new Uint8Array(new Float32Array([2, 0, 0]).buffer))),
			'INVALID_FIELD'
		));
	it('__proto__ keys do not pollute', () => {
		const frame = writeFrame(MessageType.PONG, packr.pack(JSON.parse('{"seq":1,"t":2,"__proto__":{"polluted":true}}')));
		const message = decodeMessage(frame) as unknown as Record<string, unknown>;
		assert.equal(({} as Record<string, unknown>).polluted, undefined);
		assert.equal(message.polluted, undefined);
	});
	it('limits must be positive integers', () => assert.throws(() => new Decoder({ maxBatchSteps: -1 }), RangeError));
});

describe('bugs versus bad input', () => {
	it('a crash inside a message decoder is INTERNAL (1011) with its cause and counted, not MALFORMED', () => {
		const original = pongCodec.decode;
		pongCodec.decode = (body) => {
			const missing = body.has('stats') ? { n: 1 } : undefined;
			return { type: MessageType.PONG, seq: missing!.n, t: 0 }; // the planted bug: reads a property of undefined
		};
		const decoder = new Decoder();
		try {
			rejects(encodeMessage(SAMPLE_MESSAGES.pong), 'INTERNAL', CloseCode.INTERNAL_ERROR, decoder);
			assert.throws(
				() => decoder.decode(encodeMessage(SAMPLE_MESSAGES.pong)),
				(error: ProtocolError) => error.cause instanceof TypeError
			);
			assert.equal(decoder.internalErrors, 2);
		} finally {
			pongCodec.decode = original;
		}
		assert.equal(decoder.decode(encodeMessage(SAMPLE_MESSAGES.pong)).type, MessageType.PONG);
		rejects(writeFrame(MessageType.PONG, Uint8Array.of(0xc1, 0xff, 0x00)), 'MALFORMED', CloseCode.INVALID_PAYLOAD, decoder);
		assert.equal(decoder.internalErrors, 2, 'bad input is not counted as a bug');
	});

	it('an ERROR reporting a long message still decodes on the peer (text cut to maxStringLength)', () => {
		const report = errorMessage(new ProtocolError(ErrorCode.INTERNAL, 'x'.repeat(1000)));
		const back = decodeMessage(encodeMessage(report));
		assert.ok(back.type === MessageType.ERROR && back.message.length === 256 && back.message.endsWith('…'));
		assert.equal(back.closeCode, CloseCode.INTERNAL_ERROR);
	});
});
