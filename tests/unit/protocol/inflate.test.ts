/**
 * The bounded inflater (src/lib/protocol/inflate.ts): a frame that lies about its size costs at
 * most its declared bytes of output, whatever its DEFLATE stream holds; everything else inflates
 * exactly as zlib does (differential tests against node:zlib on streams from fflate and zlib, and
 * on mutations of them). Work is counted, never timed. Also: HANDSHAKE is never compressed unasked,
 * since a learner inflates nothing before the handshake.
 */
import assert from 'node:assert/strict';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { deflateSync } from 'fflate';
import { CloseCode, Decoder, ErrorCode, MessageType, ProtocolError, encodeMessage, type EpisodeSummary } from '../../../src/lib/protocol/index.ts';
import { FLAG_DEFLATE, HEADER_BYTES } from '../../../src/lib/protocol/frame.ts';
import { inflateRaw, type InflateWork } from '../../../src/lib/protocol/inflate.ts';
import { Rng } from '../../fixtures/random.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

function work(): InflateWork {
	return { inflated: 0, blocks: 0 };
}

function refusal(run: () => unknown): ProtocolError {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof ProtocolError, `threw ${error}`);
		assert.equal(error.code, ErrorCode.DECOMPRESSION_FAILED);
		return error;
	}
	assert.fail('inflated without complaint');
}

/** Bytes whose entropy grows with `spread` (1: one byte value, 256: noise), in runs of `run`. */
function sample(rng: Rng, bytes: number, spread: number, run = 1): Uint8Array {
	const out = new Uint8Array(bytes);
	for (let i = 0; i < bytes; i += run) out.fill(rng.int(spread), i, i + run);
	return out;
}

describe('a decompression bomb', () => {
	// 64 MiB of zeros in a 65 KB stream: the frame the finding used, declaring 1 KiB.
	const bomb = deflateSync(new Uint8Array(64 * MIB), { level: 9 });

	for (const declared of [0, 1, KIB, 100 * KIB]) {
		it(`declaring ${declared} bytes is refused after inflating at most ${declared} bytes`, () => {
			const counted = work();
			const error = refusal(() => inflateRaw(bomb, declared, counted));
			assert.match(error.message, new RegExp(`past its declared ${declared} bytes`));
			assert.ok(counted.inflated <= declared, `inflated ${counted.inflated} bytes for a frame declaring ${declared}`);
		});
	}

	it('in a frame is refused by the decoder with DECOMPRESSION_FAILED and close 1007', () => {
		const frame = new Uint8Array(HEADER_BYTES + bomb.length);
		frame.set([0x50, 0x57, 1, MessageType.TRANSITION_BATCH, FLAG_DEFLATE]);
		new DataView(frame.buffer).setUint32(8, KIB, true);
		frame.set(bomb, HEADER_BYTES);
		assert.throws(
			() => new Decoder().decode(frame),
			(error: ProtocolError) => error.code === ErrorCode.DECOMPRESSION_FAILED && error.closeCode === CloseCode.INVALID_PAYLOAD
		);
	});

	it('inside one stored block is refused before a byte of it is copied', () => {
		const stored = deflateRawSync(new Uint8Array(60 * KIB).fill(7), { level: 0 });
		const counted = work();
		refusal(() => inflateRaw(stored, KIB, counted));
		assert.equal(counted.inflated, 0);
	});

	it('made of empty blocks is refused past 16 blocks plus one per 64 declared bytes', () => {
		const empty = Uint8Array.of(0x00, 0x00, 0x00, 0xff, 0xff); // a non-final stored block of 0 bytes
		const payload = new Uint8Array(2 * KIB).fill(1);
		const stream = (blocks: number) => {
			const tail = deflateRawSync(payload);
			const out = new Uint8Array(blocks * empty.length + tail.length);
			for (let b = 0; b < blocks; b++) out.set(empty, b * empty.length);
			out.set(tail, blocks * empty.length);
			return out;
		};
		assert.deepStrictEqual(inflateRaw(stream(47), payload.length), payload); // 47 + the last = 16 + 2 KiB / 64
		const counted = work();
		assert.match(refusal(() => inflateRaw(stream(10_000), payload.length, counted)).message, /blocks/);
		assert.equal(counted.blocks, 49);
	});
});

describe('agrees with zlib', () => {
	const rng = new Rng(20261125);
	const streams: { name: string; payload: Uint8Array; stream: Uint8Array }[] = [];
	for (const [bytes, spread, run] of [
		[0, 1, 1],
		[1, 256, 1],
		[300, 4, 1],
		[2 * KIB, 40, 1],
		[20 * KIB, 256, 1],
		[70 * KIB, 16, 3],
		[300 * KIB, 3, 40],
		[1 * MIB, 1, 1]
	]) {
		const payload = sample(rng, bytes, spread, run);
		for (const level of [0, 1, 6, 9] as const) streams.push({ name: `fflate level ${level}, ${bytes} B`, payload, stream: deflateSync(payload, { level }) });
		for (const strategy of [constants.Z_FILTERED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE, constants.Z_FIXED]) {
			streams.push({ name: `zlib strategy ${strategy}, ${bytes} B`, payload, stream: deflateRawSync(payload, { strategy, memLevel: 1 }) });
		}
	}

	it(`inflates ${streams.length} streams of fflate and zlib to their payloads`, () => {
		for (const { name, payload, stream } of streams) assert.deepStrictEqual(inflateRaw(stream, payload.length), payload, name);
	});

	it('refuses a stream shorter or longer than declared', () => {
		const { payload, stream } = streams.find((s) => s.payload.length === 2 * KIB)!;
		assert.match(refusal(() => inflateRaw(stream, payload.length + 1)).message, /inflates to 2048 bytes, header declares 2049/);
		refusal(() => inflateRaw(stream, payload.length - 1));
		refusal(() => inflateRaw(stream.subarray(0, stream.length - 1), payload.length));
		refusal(() => inflateRaw(new Uint8Array(0), 0));
	});

	it('on 4000 mutated streams: the same bytes as zlib, or DECOMPRESSION_FAILED where zlib fails too', () => {
		const small = streams.filter((s) => s.stream.length > 2 && s.payload.length <= 20 * KIB);
		let agreed = 0;
		for (let i = 0; i < 4000; i++) {
			const { payload, stream } = small[rng.int(small.length)];
			const mutated = Uint8Array.from(stream);
			// half the flips land in the first 48 bytes, where block headers and code tables are
			const span = i % 2 ? Math.min(48, mutated.length) : mutated.length;
			for (let e = 1 + rng.int(3); e > 0; e--) mutated[rng.int(span)] ^= 1 << rng.int(8);
			let expected: Uint8Array | undefined;
			try {
				expected = new Uint8Array(inflateRawSync(mutated, { maxOutputLength: payload.length + 1 }));
			} catch {
				expected = undefined;
			}
			if (expected?.length !== payload.length) expected = undefined;
			let got: Uint8Array | undefined;
			try {
				got = inflateRaw(mutated, payload.length);
			} catch (error) {
				assert.ok(error instanceof ProtocolError && error.code === ErrorCode.DECOMPRESSION_FAILED, `mutation ${i}: ${error}`);
			}
			assert.deepStrictEqual(got, expected, `mutation ${i} of a ${stream.length}-byte stream: ${Buffer.from(mutated).toString('hex').slice(0, 80)}`);
			if (got) agreed++;
		}
		assert.ok(agreed > 100, `only ${agreed} mutations inflated: the test is not testing`);
	});
});

it('HANDSHAKE is sent uncompressed however large, unless compression is asked for', () => {
	const hello = seedHandshake('a-long-actor-id');
	hello.obsSpec = {
		dim: 400,
		names: Array.from({ length: 400 }, (_, i) => `observation ${i}`),
		low: new Float32Array(400),
		high: new Float32Array(400).fill(1)
	};
	const frame = encodeMessage(hello);
	assert.ok(frame.length > 8 * KIB, `a ${frame.length}-byte handshake`);
	assert.equal(frame[4] & FLAG_DEFLATE, 0);
	assert.equal(encodeMessage(hello, { compress: 'always' })[4] & FLAG_DEFLATE, FLAG_DEFLATE);
	assert.equal(
		encodeMessage({ ...(SAMPLE_MESSAGES.episodeSummary as EpisodeSummary), lapTimesMs: new Array(500).fill(61_000) })[4] & FLAG_DEFLATE,
		FLAG_DEFLATE
	);
});
