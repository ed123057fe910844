/**
 * The frame: a 12-byte header and a payload that may be DEFLATE-compressed.
 *
 *   offset size field
 *   0      2    magic "PW" (0x50 0x57)
 *   2      1    protocol version
 *   3      1    message type
 *   4      1    flags: bit 0 = payload is raw DEFLATE (RFC 1951); other bits must be 0
 *   5      3    reserved, must be 0
 *   8      4    payload length after decompression, u32 little-endian
 *   12     …    payload
 *
 * The declared length is checked against `maxDecompressedBytes` before anything is allocated, and
 * inflation (./inflate.ts) writes into a buffer of exactly that length, stopping before the first
 * byte past it: a decompression bomb costs no more output than it declares.
 */
import { deflateSync } from 'fflate';
import { ErrorCode, fail } from './errors.ts';
import { inflateRaw } from './inflate.ts';
import type { Limits } from './limits.ts';
import { MESSAGE_TYPE_NAME, PROTOCOL_VERSION, type MessageType } from './types.ts';

export const HEADER_BYTES = 12;
export const MAGIC_0 = 0x50;
export const MAGIC_1 = 0x57;
export const FLAG_DEFLATE = 0x01;
/** Payloads at least this large are compressed when the encoder is left to decide. */
export const COMPRESS_THRESHOLD_BYTES = 1024;
/** 'auto' keeps a deflated payload only when it is at most this fraction of the original:
 * inflating costs the receiver more than a few saved bytes are worth (float weights barely shrink). */
export const MIN_DEFLATE_RATIO = 0.8;
/** DEFLATE level used by the encoder (1 fastest … 9 smallest). */
export const DEFLATE_LEVEL = 6;

export interface FrameHeader {
	version: number;
	type: MessageType;
	compressed: boolean;
	payloadBytes: number;
}

export type CompressMode = 'auto' | 'always' | 'never';

/** Wraps a payload in a frame, compressing it when asked or when it is large and deflate helps. */
export function writeFrame(type: MessageType, payload: Uint8Array, compress: CompressMode = 'auto'): Uint8Array {
	let body = payload;
	let flags = 0;
	if (compress === 'always' || (compress === 'auto' && payload.length >= COMPRESS_THRESHOLD_BYTES)) {
		const deflated = deflateSync(payload, { level: DEFLATE_LEVEL });
		if (compress === 'always' || deflated.length <= payload.length * MIN_DEFLATE_RATIO) {
			body = deflated;
			flags = FLAG_DEFLATE;
		}
	}
	const frame = new Uint8Array(HEADER_BYTES + body.length);
	frame[0] = MAGIC_0;
	frame[1] = MAGIC_1;
	frame[2] = PROTOCOL_VERSION;
	frame[3] = type;
	frame[4] = flags;
	new DataView(frame.buffer).setUint32(8, payload.length, true);
	frame.set(body, HEADER_BYTES);
	return frame;
}

/** Parses and checks the header without touching the payload. */
export function readHeader(frame: Uint8Array, limits: Limits): FrameHeader {
	if (frame.length > limits.maxFrameBytes) {
		fail(ErrorCode.LIMIT_EXCEEDED, `frame of ${frame.length} bytes exceeds maxFrameBytes ${limits.maxFrameBytes}`);
	}
	if (frame.length < HEADER_BYTES) fail(ErrorCode.TRUNCATED, `frame of ${frame.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
	if (frame[0] !== MAGIC_0 || frame[1] !== MAGIC_1) fail(ErrorCode.BAD_MAGIC, 'frame does not start with "PW"');
	const version = frame[2];
	if (version !== PROTOCOL_VERSION) {
		fail(ErrorCode.VERSION_MISMATCH, `frame has protocol version ${version}, this side speaks ${PROTOCOL_VERSION}`);
	}
	const type = frame[3];
	if (MESSAGE_TYPE_NAME[type] === undefined) fail(ErrorCode.UNKNOWN_TYPE, `unknown message type ${type}`);
	const flags = frame[4];
	if ((flags & ~FLAG_DEFLATE) !== 0 || frame[5] !== 0 || frame[6] !== 0 || frame[7] !== 0) {
		fail(ErrorCode.BAD_FLAGS, `reserved flag bits or bytes set (flags 0x${flags.toString(16)})`);
	}
	const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
	const payloadBytes = view.getUint32(8, true);
	if (payloadBytes > limits.maxDecompressedBytes) {
		fail(ErrorCode.LIMIT_EXCEEDED, `payload declares ${payloadBytes} bytes, over maxDecompressedBytes ${limits.maxDecompressedBytes}`);
	}
	const compressed = (flags & FLAG_DEFLATE) !== 0;
	if (!compressed && frame.length - HEADER_BYTES !== payloadBytes) {
		fail(ErrorCode.TRUNCATED, `payload has ${frame.length - HEADER_BYTES} bytes, header declares ${payloadBytes}`);
	}
	return { version, type: type as MessageType, compressed, payloadBytes };
}

/** Returns the payload, inflated into a buffer of exactly the declared size. */
export function readPayload(frame: Uint8Array, header: FrameHeader): Uint8Array {
	const body = frame.subarray(HEADER_BYTES);
	return header.compressed ? inflateRaw(body, header.payloadBytes) : body;
}
