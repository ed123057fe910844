/**
 * Seeded mutation fuzz: flip, insert, delete and splice bytes of valid frames (raw and compressed,
 * and of their payloads before re-framing). Decode must return a message or throw ProtocolError —
 * nothing else, ever.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Decoder, ProtocolError, encodeMessage } from '../../../src/lib/protocol/index.ts';
import { readHeader, writeFrame } from '../../../src/lib/protocol/frame.ts';
import { resolveLimits } from '../../../src/lib/protocol/limits.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';
import { Rng } from '../../fixtures/random.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 120_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);

function mutate(source: Uint8Array, rng: Rng): Uint8Array {
	const bytes = Array.from(source);
	const edits = 1 + rng.int(4);
	for (let e = 0; e < edits; e++) {
		const at = rng.int(bytes.length + 1);
		switch (rng.int(6)) {
			case 0: bytes[at] = rng.int(256); break;
			case 1: bytes[at] ^= 1 << rng.int(8); break;
			case 2: bytes.splice(at, 0, rng.int(256)); break;
			case 3: bytes.splice(at, 1 + rng.int(8)); break;
			case 4: bytes.splice(at, 0, ...bytes.slice(rng.int(bytes.length), rng.int(bytes.length))); break;
			default: bytes.length = Math.max(0, at); break;
		}
	}
	return Uint8Array.from(bytes.map((b) => b & 0xff));
}

it(`${FRAMES} mutated frames decode to a message or a ProtocolError`, () => {
	const rng = new Rng(SEED);
	const limits = resolveLimits();
	const decoder = new Decoder();
	const seeds: Uint8Array[] = [];
	const payloads: { type: number; payload: Uint8Array }[] = [];
	for (const message of Object.values(SAMPLE_MESSAGES)) {
		for (const compress of ['never', 'always'] as const) seeds.push(encodeMessage(message, { compress }));
		const raw = encodeMessage(message, { compress: 'never' });
		payloads.push({ type: readHeader(raw, limits).type, payload: raw.subarray(12) });
	}
	let accepted = 0;
	let refused = 0;
	for (let i = 0; i < FRAMES; i++) {
		// Half the time mutate the payload and re-frame it, so mutations get past the header checks.
		const frame = i % 2 === 0
			? mutate(seeds[rng.int(seeds.length)], rng)
			: (() => {
				const { type, payload } = payloads[rng.int(payloads.length)];
				return writeFrame(type as never, mutate(payload, rng), rng.int(4) === 0 ? 'always' : 'never');
			})();
		try {
			const message = decoder.decode(frame);
			assert.equal(typeof message.type, 'number');
			accepted++;
		} catch (error) {
			if (!(error instanceof ProtocolError)) {
				assert.fail(`frame ${i} (seed ${SEED}) threw ${(error as Error)?.stack ?? error}: ${Buffer.from(frame).toString('hex')}`);
			}
			refused++;
		}
	}
	assert.equal(accepted + refused, FRAMES);
	assert.ok(refused > FRAMES / 2, `only ${refused} of ${FRAMES} mutations were refused`);
});
