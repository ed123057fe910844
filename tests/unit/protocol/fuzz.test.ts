/**
 * Seeded mutation fuzz: flip, insert, delete and splice bytes of valid frames (raw and compressed,
 * and of their payloads before re-framing). Decode must return a message or refuse the frame with
 * a check's ProtocolError. A crash inside the decoder (a TypeError, RangeError, … that no check
 * raised) comes out as INTERNAL and is counted: the fuzz requires zero of them, and a canary test
 * plants such a crash to prove that the fuzz sees it.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Decoder, ErrorCode, MessageType, ProtocolError, encodeMessage } from '../../../src/lib/protocol/index.ts';
import { readHeader, writeFrame } from '../../../src/lib/protocol/frame.ts';
import { resolveLimits } from '../../../src/lib/protocol/limits.ts';
import { pingCodec } from '../../../src/lib/protocol/messages/heartbeat.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';
import { mutate } from '../../fixtures/mutate.ts';
import { Rng } from '../../fixtures/random.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 120_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

interface FuzzResult {
	accepted: number;
	refused: number;
	/** Frames the decoder crashed on (INTERNAL), with the crash. */
	internal: { index: number; frame: Uint8Array; error: ProtocolError }[];
	/** Anything thrown that is not a ProtocolError at all (breaks decode's contract). */
	foreign: { index: number; frame: Uint8Array; error: unknown }[];
}

function fuzz(decoder: Decoder, frames: number, seed: number): FuzzResult {
	const rng = new Rng(seed);
	const limits = resolveLimits();
	const seeds: Uint8Array[] = [];
	const payloads: { type: number; payload: Uint8Array }[] = [];
	for (const message of Object.values(SAMPLE_MESSAGES)) {
		for (const compress of ['never', 'always'] as const) seeds.push(encodeMessage(message, { compress }));
		const raw = encodeMessage(message, { compress: 'never' });
		payloads.push({ type: readHeader(raw, limits).type, payload: raw.subarray(12) });
	}
	const result: FuzzResult = { accepted: 0, refused: 0, internal: [], foreign: [] };
	for (let index = 0; index < frames; index++) {
		// Half the time mutate the payload and re-frame it, so mutations get past the header checks.
		const frame =
			index % 2 === 0
				? mutate(seeds[rng.int(seeds.length)], rng)
				: (() => {
						const { type, payload } = payloads[rng.int(payloads.length)];
						return writeFrame(type as never, mutate(payload, rng), rng.int(4) === 0 ? 'always' : 'never');
					})();
		try {
			const message = decoder.decode(frame);
			assert.equal(typeof message.type, 'number');
			result.accepted++;
		} catch (error) {
			if (!(error instanceof ProtocolError)) result.foreign.push({ index, frame, error });
			else if (error.code === ErrorCode.INTERNAL) result.internal.push({ index, frame, error });
			else result.refused++;
		}
	}
	return result;
}

function describeCrash({ index, frame, error }: { index: number; frame: Uint8Array; error: unknown }): string {
	const cause = error instanceof ProtocolError ? error.cause : error;
	return `frame ${index} (seed ${SEED}): ${(cause as Error)?.stack ?? cause}\n  ${Buffer.from(frame).toString('hex')}`;
}

it(`${FRAMES} mutated frames decode to a message or a check's ProtocolError, never a decoder crash`, () => {
	const decoder = new Decoder();
	const { accepted, refused, internal, foreign } = fuzz(decoder, FRAMES, SEED);
	assert.deepStrictEqual(foreign.map(describeCrash), [], 'decode threw something that is not a ProtocolError');
	assert.deepStrictEqual(internal.slice(0, 3).map(describeCrash), [], `the decoder crashed on ${internal.length} frames`);
	assert.equal(decoder.internalErrors, 0);
	assert.equal(accepted + refused, FRAMES);
	assert.ok(refused > FRAMES / 2, `only ${refused} of ${FRAMES} mutations were refused`);
});

it('canary: the fuzz reports a decoder that reads a property of undefined for some inputs', () => {
	const original = pingCodec.decode;
	// The planted bug: a PING whose seq is odd makes the decoder dereference a missing field.
	pingCodec.decode = (body, type) => {
		const ping = original(body, type);
		if (ping.seq % 2 === 1) (undefined as unknown as { seq: number }[])[0].seq++;
		return ping;
	};
	try {
		const decoder = new Decoder();
		const direct = (() => {
			try {
				decoder.decode(encodeMessage({ type: MessageType.PING, seq: 1, t: 0 }));
			} catch (error) {
				return error;
			}
		})();
		assert.ok(direct instanceof ProtocolError && direct.code === ErrorCode.INTERNAL, `got ${direct}`);
		assert.equal(direct.closeCode, 1011);
		assert.ok(direct.cause instanceof TypeError, 'the crash is kept as cause');
		assert.match(direct.message, /^INTERNAL: PING decoder failed \(TypeError: /);

		const { internal } = fuzz(decoder, 20_000, SEED);
		assert.ok(internal.length > 0, 'the fuzz did not notice the planted crash');
		assert.equal(decoder.internalErrors, internal.length + 1);
		assert.ok(internal.every(({ error }) => error.cause instanceof TypeError));
	} finally {
		pingCodec.decode = original;
	}
});
