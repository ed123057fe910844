/**
 * `npx tsx scripts/inflate-bench.ts`: what a decompression bomb and legitimate compressed frames
 * cost the learner's decoder, before (fflate's streaming Inflate fed 16 KiB input slices, as
 * frame.ts did) and now (src/lib/protocol/inflate.ts). Medians of alternating runs, in ms.
 */
import { Inflate, deflateSync, inflateSync } from 'fflate';
import { Decoder, MessageType } from '../src/lib/protocol/index.ts';
import { inflateRaw } from '../src/lib/protocol/inflate.ts';
import { Rng } from '../tests/fixtures/random.ts';

const MIB = 1024 * 1024;

/** The decoder's inflation before: 16 KiB input slices into fflate's Inflate, stopped in its callback. */
function slicedFflate(input: Uint8Array, expected: number): Uint8Array {
	const out = new Uint8Array(expected);
	let written = 0;
	const inflater = new Inflate((chunk) => {
		if (written + chunk.length > expected) throw new Error('past its declared size');
		out.set(chunk, written);
		written += chunk.length;
	});
	for (let at = 0; at < input.length; at += 16 * 1024) inflater.push(input.subarray(at, at + 16 * 1024), at + 16 * 1024 >= input.length);
	return out;
}

function median(run: () => unknown, reps: number): number {
	const times: number[] = [];
	for (let i = 0; i < reps; i++) {
		const t0 = performance.now();
		try {
			run();
		} catch {
			// refusals are what is timed
		}
		times.push(performance.now() - t0);
	}
	return times.sort((a, b) => a - b)[reps >> 1];
}

function compare(name: string, stream: Uint8Array, declared: number, reps: number): void {
	const runs = { before: [] as number[], fflateSync: [] as number[], bounded: [] as number[] };
	for (let round = 0; round < 5; round++) {
		runs.before.push(median(() => slicedFflate(stream, declared), reps));
		runs.fflateSync.push(median(() => inflateSync(stream, { out: new Uint8Array(declared) }), reps));
		runs.bounded.push(median(() => inflateRaw(stream, declared), reps));
	}
	const ms = (xs: number[]) =>
		xs
			.sort((a, b) => a - b)[2]
			.toFixed(3)
			.padStart(8);
	console.log(`${name.padEnd(44)} before ${ms(runs.before)}   fflate inflateSync ${ms(runs.fflateSync)}   bounded ${ms(runs.bounded)}`);
}

const rng = new Rng(7);
const walk = (n: number) => {
	const f = new Float64Array(n);
	for (let i = 1; i < n; i++) f[i] = Math.round((f[i - 1] + rng.next() - 0.5) * 1000) / 1000;
	return new Uint8Array(f.buffer);
};
const weights = (n: number) => new Uint8Array(Float32Array.from({ length: n }, () => Math.round((rng.next() - 0.5) * 1e6) / 64).buffer);
const words = ['speed', 'steer', 'gas', 'brake', 'lap', 'actor', 'policy', 'reward', '0.125', '1e-3'];
const text = (n: number) =>
	new TextEncoder().encode(
		Array.from({ length: n / 4 }, () => words[rng.int(words.length)])
			.join(' ')
			.slice(0, n)
	);

/** `blocks` empty dynamic blocks (the cheapest to send: 12 bytes, three codes to build each), then an empty final block. */
function emptyBlocks(blocks: number): Uint8Array {
	const bytes: number[] = [];
	let acc = 0;
	let n = 0;
	const put = (value: number, bits: number, msbFirst = false) => {
		for (let i = 0; i < bits; i++) {
			acc |= ((value >> (msbFirst ? bits - 1 - i : i)) & 1) << n;
			if (++n < 8) continue;
			bytes.push(acc);
			acc = 0;
			n = 0;
		}
	};
	const order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
	for (let b = 0; b < blocks; b++) {
		put(0b100, 3); // not final, dynamic
		put(0, 10); // 257 literal/length and 1 distance code lengths follow
		put(15, 4); // in a code-length code of 19 lengths
		for (const s of order) put(s === 18 ? 1 : s === 0 || s === 1 ? 2 : 0, 3); // 18: "0", 0: "10", 1: "11"
		for (const zeros of [138, 118]) {
			put(0, 1, true); // code-length symbol 18: 11 + 7 bits zero lengths
			put(zeros - 11, 7);
		}
		put(3, 2, true); // 256 (end of block) is one bit long
		put(2, 2, true); // no distance codes
		put(0, 1, true); // end of block
	}
	put(0b001, 3); // final, stored: 0 bytes
	put(0, (8 - n) % 8);
	put(0, 16);
	put(0xffff, 16);
	return Uint8Array.from(bytes);
}

const bomb = deflateSync(new Uint8Array(64 * MIB), { level: 9 });
console.log(`the bomb: 64 MiB of zeros in ${bomb.length} bytes, declaring 1 KiB`);
compare('bomb declaring 1 KiB', bomb, 1024, 21);
const frame = new Uint8Array(12 + bomb.length);
frame.set([0x50, 0x57, 1, MessageType.TRANSITION_BATCH, 1]);
new DataView(frame.buffer).setUint32(8, 1024, true);
frame.set(bomb, 12);
const decoder = new Decoder();
console.log(`  Decoder.decode of the ${frame.length}-byte frame, refused: ${median(() => decoder.decode(frame), 101).toFixed(3)} ms`);
const blocks = emptyBlocks(100_000);
if (inflateSync(blocks).length !== 0) throw new Error('the empty blocks are not empty');
console.log(`100 000 empty dynamic blocks (${blocks.length} bytes), declaring 32 MiB (allowed ${16 + (32 * MIB) / 64} blocks)`);
compare('empty blocks', blocks, 32 * MIB, 3);
console.log('legitimate payloads (deflateSync level 6)');
for (const [name, payload] of [
	['telemetry-like f64 columns, 2 KiB', walk(256)],
	['telemetry-like f64 columns, 64 KiB', walk(8192)],
	['f32 weights, 1 MiB', weights(256 * 1024)],
	['text, 4 MiB', text(4 * MIB)],
	['zeros, 16 MiB', new Uint8Array(16 * MIB)]
] as const) {
	compare(`${name} (ratio ${(payload.length / deflateSync(payload).length).toFixed(1)})`, deflateSync(payload), payload.length, payload.length > MIB ? 5 : 21);
}
