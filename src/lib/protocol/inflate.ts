/**
 * Raw DEFLATE (RFC 1951) into a buffer of exactly the declared size, on a work budget the peer
 * cannot stretch. Every literal, match and stored block is checked against the room left *before*
 * it is written, so a stream that would pass the declared size stops having written at most the
 * declared bytes: a 65 KB bomb of 64 MiB that declares 1 KiB costs ≤ 1 KiB of output. (fflate's
 * streaming Inflate cannot stop inside a pushed slice, and any input slice may inflate ~1032×.)
 * Blocks, which cost a little even when they yield nothing, are limited to 16 plus one per 64
 * declared bytes (zlib's smallest setting, memLevel 1, emits one per ~128 bytes), and a code's
 * lookup table is built only once it has decoded a few symbols, so an empty block costs about
 * its header.
 *
 * As strict as zlib: over-subscribed or incomplete codes (but zlib's lone one-bit code), a missing
 * end-of-block code, distances before the start, symbols 286–287 and 30–31, and truncation all
 * fail with DECOMPRESSION_FAILED. Bytes after the final block are ignored, as zlib does.
 */
import { ErrorCode, fail } from './errors.ts';

/** What an inflation did before it returned or failed (tests count work instead of timing it). */
export interface InflateWork {
	/** Bytes written to the output. */
	inflated: number;
	/** Blocks whose header was read. */
	blocks: number;
}

const MAX_BITS = 15;
/** Codes up to this long decode with one table lookup; longer ones walk the canonical code. */
const PRIMARY_BITS = 10;
const PRIMARY_MASK = (1 << PRIMARY_BITS) - 1;
/** A code's lookup table is built after this many symbols were decoded without it. */
const SYMBOLS_BEFORE_TABLE = 32;
const FREE_BLOCKS = 16;
const BYTES_PER_BLOCK = 64;

/** Extra bits and base values of the length symbols 257–285 and the distance symbols 0–29 (RFC 1951 §3.2.5). */
const LENGTH_EXTRA = Uint8Array.from({ length: 29 }, (_, i) => (i < 8 || i === 28 ? 0 : (i >> 2) - 1));
const DIST_EXTRA = Uint8Array.from({ length: 30 }, (_, i) => (i < 4 ? 0 : (i >> 1) - 1));
const LENGTH_BASE = bases(3, LENGTH_EXTRA);
LENGTH_BASE[28] = 258;
const DIST_BASE = bases(1, DIST_EXTRA);

function bases(first: number, extra: Uint8Array): Uint16Array {
	const base = new Uint16Array(extra.length);
	base[0] = first;
	for (let i = 1; i < base.length; i++) base[i] = base[i - 1] + (1 << extra[i - 1]);
	return base;
}
/** The order in which a dynamic block sends its code-length code lengths. */
const CODE_LENGTH_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/** Bit-reversed PRIMARY_BITS-bit numbers: Huffman codes are sent most significant bit first. */
const REVERSED = new Uint16Array(1 << PRIMARY_BITS);
for (let i = 0; i < REVERSED.length; i++) {
	for (let b = 0; b < PRIMARY_BITS; b++) REVERSED[i] |= ((i >> b) & 1) << (PRIMARY_BITS - 1 - b);
}
/** The table of a code whose own table is not built yet: every lookup falls through to `slow`. */
const NO_TABLE = new Uint16Array(1 << PRIMARY_BITS);

function corrupt(what: string): never {
	fail(ErrorCode.DECOMPRESSION_FAILED, `corrupt DEFLATE stream (${what})`);
}

/** A canonical Huffman code; `table` maps the next PRIMARY_BITS bits to `symbol << 4 | length` (0: see `slow`). */
class Huffman {
	table = NO_TABLE;
	private readonly own = new Uint16Array(1 << PRIMARY_BITS);
	private readonly count = new Uint16Array(MAX_BITS + 1);
	private readonly offsets = new Uint16Array(MAX_BITS + 2);
	private readonly symbol: Uint16Array;
	private untilTable = 0;

	constructor(maxSymbols: number) {
		this.symbol = new Uint16Array(maxSymbols);
	}

	/** The code of `lengths[0 … n)`; `loneBitOk`: one code of one bit may stand alone (zlib's rule for lengths and distances). */
	build(lengths: Uint8Array, n: number, loneBitOk: boolean, what: string): this {
		const { count, offsets, symbol } = this;
		count.fill(0);
		for (let s = 0; s < n; s++) count[lengths[s]]++;
		let left = 1;
		for (let len = 1; len <= MAX_BITS; len++) {
			left = (left << 1) - count[len];
			if (left < 0) corrupt(`over-subscribed ${what} code`);
		}
		const used = n - count[0];
		if (left > 0 && used > 0 && !(loneBitOk && used === 1 && count[1] === 1)) corrupt(`incomplete ${what} code`);
		offsets[1] = 0;
		for (let len = 1; len <= MAX_BITS; len++) offsets[len + 1] = offsets[len] + count[len];
		for (let s = 0; s < n; s++) if (lengths[s] !== 0) symbol[offsets[lengths[s]]++] = s;
		this.table = NO_TABLE;
		this.untilTable = SYMBOLS_BEFORE_TABLE;
		return this;
	}

	/** Fills the lookup table (codes of up to PRIMARY_BITS bits). */
	fillTable(): this {
		const { count, symbol, own } = this;
		own.fill(0);
		let code = 0;
		let index = 0;
		for (let len = 1; len <= PRIMARY_BITS; len++, code <<= 1) {
			for (let k = 0; k < count[len]; k++, code++) {
				const entry = (symbol[index++] << 4) | len;
				for (let slot = REVERSED[code << (PRIMARY_BITS - len)]; slot <= PRIMARY_MASK; slot += 1 << len) own[slot] = entry;
			}
		}
		this.table = own;
		return this;
	}

	/** Decodes from `bits` (next bit lowest, ≥ 15 of them) what the table did not: `symbol << 4 | length`, or -1. */
	slow(bits: number): number {
		if (this.table === NO_TABLE && --this.untilTable < 0) {
			const entry = this.fillTable().table[bits & PRIMARY_MASK];
			if (entry !== 0) return entry;
		}
		let code = 0;
		let first = 0;
		let index = 0;
		for (let len = 1; len <= MAX_BITS; len++) {
			code |= (bits >>> (len - 1)) & 1;
			const count = this.count[len];
			if (code - first < count) return (this.symbol[index + code - first] << 4) | len;
			index += count;
			first = (first + count) << 1;
			code <<= 1;
		}
		return -1;
	}
}

const FIXED_LENGTHS = new Uint8Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
const fixedLengthCode = new Huffman(288).build(FIXED_LENGTHS, 288, false, 'fixed').fillTable();
// 32 codes of which 30 and 31 are refused when they come
const fixedDistanceCode = new Huffman(32).build(new Uint8Array(32).fill(5), 32, false, 'fixed').fillTable();

/** Inflates `input` to exactly `expectedBytes` or throws DECOMPRESSION_FAILED; `work` counts what it did. */
export function inflateRaw(input: Uint8Array, expectedBytes: number, work: InflateWork = { inflated: 0, blocks: 0 }): Uint8Array {
	return new Inflater(input, expectedBytes, work).run();
}

class Inflater {
	private readonly out: Uint8Array;
	private written = 0;
	/** Position in the input, in bits; reads past the end load zeros, refused once consumed. */
	private at = 0;
	private readonly totalBits: number;
	private readonly lengths = new Uint8Array(286 + 30);
	private readonly lengthCode = new Huffman(286);
	private readonly distanceCode = new Huffman(30);
	private readonly codeLengthCode = new Huffman(19);

	constructor(
		private readonly input: Uint8Array,
		private readonly expected: number,
		private readonly work: InflateWork
	) {
		this.out = new Uint8Array(expected);
		this.totalBits = input.length * 8;
	}

	run(): Uint8Array {
		const maxBlocks = FREE_BLOCKS + Math.floor(this.expected / BYTES_PER_BLOCK);
		try {
			for (let final = 0; !final;) {
				if (++this.work.blocks > maxBlocks) fail(ErrorCode.DECOMPRESSION_FAILED, `more than ${maxBlocks} DEFLATE blocks for ${this.expected} declared bytes`);
				final = this.bits(1);
				const type = this.bits(2);
				if (type === 0) this.stored();
				else if (type === 1) this.codes(fixedLengthCode, fixedDistanceCode);
				else if (type === 2) this.dynamic();
				else corrupt('block type 3');
			}
		} finally {
			this.work.inflated = this.written;
		}
		if (this.written !== this.expected) fail(ErrorCode.DECOMPRESSION_FAILED, `payload inflates to ${this.written} bytes, header declares ${this.expected}`);
		return this.out;
	}

	private tooLong(): never {
		fail(ErrorCode.DECOMPRESSION_FAILED, `payload inflates past its declared ${this.expected} bytes`);
	}

	/** The next 17 or more bits, lowest first (zeros past the end). */
	private peek(): number {
		const { input, at } = this;
		const byte = at >> 3;
		return ((input[byte] | (input[byte + 1] << 8) | (input[byte + 2] << 16)) >>> (at & 7)) | 0;
	}

	private skip(n: number): void {
		if ((this.at += n) > this.totalBits) corrupt('truncated');
	}

	/** The next `n` (≤ 16) bits. */
	private bits(n: number): number {
		const value = this.peek() & ((1 << n) - 1);
		this.skip(n);
		return value;
	}

	private symbol(code: Huffman): number {
		const bits = this.peek();
		let entry = code.table[bits & PRIMARY_MASK];
		if (entry === 0 && (entry = code.slow(bits)) < 0) corrupt('invalid code');
		this.skip(entry & 15);
		return entry >> 4;
	}

	private stored(): void {
		const { input } = this;
		const pos = (this.at + 7) >> 3;
		if (pos + 4 > input.length) corrupt('truncated');
		const length = input[pos] | (input[pos + 1] << 8);
		if (length !== (~(input[pos + 2] | (input[pos + 3] << 8)) & 0xffff)) corrupt('stored block length does not match its complement');
		if (pos + 4 + length > input.length) corrupt('truncated');
		if (this.written + length > this.expected) this.tooLong();
		this.out.set(input.subarray(pos + 4, pos + 4 + length), this.written);
		this.written += length;
		this.at = (pos + 4 + length) * 8;
	}

	private dynamic(): void {
		const literals = this.bits(5) + 257;
		const distances = this.bits(5) + 1;
		const codeLengthCount = this.bits(4) + 4;
		if (literals > 286 || distances > 30) corrupt('too many length or distance symbols');
		const { lengths } = this;
		lengths.fill(0, 0, 19);
		for (let i = 0; i < codeLengthCount; i++) lengths[CODE_LENGTH_ORDER[i]] = this.bits(3);
		const codeLengthCode = this.codeLengthCode.build(lengths, 19, false, 'code-length');
		const total = literals + distances;
		for (let i = 0; i < total;) {
			const symbol = this.symbol(codeLengthCode);
			if (symbol < 16) {
				lengths[i++] = symbol;
				continue;
			}
			if (symbol === 16 && i === 0) corrupt('length repeat with no previous length');
			const value = symbol === 16 ? lengths[i - 1] : 0;
			const repeat = symbol === 16 ? 3 + this.bits(2) : symbol === 17 ? 3 + this.bits(3) : 11 + this.bits(7);
			if (i + repeat > total) corrupt('code lengths overflow');
			lengths.fill(value, i, i + repeat);
			i += repeat;
		}
		if (lengths[256] === 0) corrupt('missing end-of-block code');
		this.codes(
			this.lengthCode.build(lengths, literals, true, 'literal/length'),
			this.distanceCode.build(lengths.subarray(literals), distances, true, 'distance')
		);
	}

	/** The hot loop: literals and matches up to end-of-block, with the reader's state in locals. */
	private codes(lengthCode: Huffman, distanceCode: Huffman): void {
		const { out, expected, input, totalBits } = this;
		let { at, written } = this;
		let lengthTable = lengthCode.table;
		let distanceTable = distanceCode.table;
		try {
			for (;;) {
				let byte = at >> 3;
				let bits = (input[byte] | (input[byte + 1] << 8) | (input[byte + 2] << 16)) >>> (at & 7);
				let entry = lengthTable[bits & PRIMARY_MASK];
				if (entry === 0) {
					if ((entry = lengthCode.slow(bits)) < 0) corrupt('invalid literal/length code');
					lengthTable = lengthCode.table;
				}
				at += entry & 15;
				if (at > totalBits) corrupt('truncated');
				const symbol = entry >> 4;
				if (symbol < 256) {
					if (written >= expected) this.tooLong();
					out[written++] = symbol;
					continue;
				}
				if (symbol === 256) break;
				if (symbol > 285) corrupt(`invalid literal/length symbol ${symbol}`);
				const lengthExtra = LENGTH_EXTRA[symbol - 257];
				let length = LENGTH_BASE[symbol - 257];
				if (lengthExtra) {
					byte = at >> 3;
					length += ((input[byte] | (input[byte + 1] << 8)) >>> (at & 7)) & ((1 << lengthExtra) - 1);
					at += lengthExtra;
				}
				byte = at >> 3;
				bits = (input[byte] | (input[byte + 1] << 8) | (input[byte + 2] << 16)) >>> (at & 7);
				let distanceEntry = distanceTable[bits & PRIMARY_MASK];
				if (distanceEntry === 0) {
					if ((distanceEntry = distanceCode.slow(bits)) < 0) corrupt('invalid distance code');
					distanceTable = distanceCode.table;
				}
				at += distanceEntry & 15;
				const distanceSymbol = distanceEntry >> 4;
				if (distanceSymbol > 29) corrupt(`invalid distance symbol ${distanceSymbol}`);
				const distanceExtra = DIST_EXTRA[distanceSymbol];
				let distance = DIST_BASE[distanceSymbol];
				if (distanceExtra) {
					byte = at >> 3;
					distance += ((input[byte] | (input[byte + 1] << 8) | (input[byte + 2] << 16)) >>> (at & 7)) & ((1 << distanceExtra) - 1);
					at += distanceExtra;
				}
				if (at > totalBits) corrupt('truncated');
				if (distance > written) corrupt('distance too far back');
				if (written + length > expected) this.tooLong();
				if (distance >= length) {
					out.copyWithin(written, written - distance, written - distance + length);
					written += length;
				} else {
					for (const end = written + length; written < end; written++) out[written] = out[written - distance];
				}
			}
		} finally {
			this.written = written;
		}
		this.at = at;
	}
}
