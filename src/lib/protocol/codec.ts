/**
 * encodeMessage / decodeMessage: frame ⇄ typed message. decodeMessage returns a fully validated
 * message or throws ProtocolError; it never returns part of a message.
 */
import { Packr, Unpackr } from 'msgpackr';
import { Body } from './body.ts';
import { ErrorCode, ProtocolError, fail, internalError } from './errors.ts';
import { readHeader, readPayload, writeFrame, type CompressMode } from './frame.ts';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from './limits.ts';
import type { BodyCodec, ColumnMode } from './messages/codec-types.ts';
import { controlBatchCodec, controlCodec } from './messages/control.ts';
import { pingCodec, pongCodec } from './messages/heartbeat.ts';
import { lapCodec, trackCodec } from './messages/laps.ts';
import { errorCodec, handshakeAcceptCodec, handshakeCodec } from './messages/session.ts';
import { telemetryBatchCodec, telemetryCodec } from './messages/telemetry.ts';
import { batchAckCodec, episodeSummaryCodec, transitionBatchCodec } from './messages/transitions.ts';
import { evaluateCodec, weightsAckCodec, weightsUpdateCodec } from './messages/weights.ts';
import { MESSAGE_TYPE_NAME, MessageType, type Message } from './types.ts';

// Plain MessagePack (maps with string keys, bin for bytes, no msgpackr records or extensions),
// so that any MessagePack library can read and write pitwall bodies.
const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: false, mapsAsObjects: true, int64AsType: 'number' });

const CODECS: Record<MessageType, BodyCodec<Message>> = {
	[MessageType.HANDSHAKE]: handshakeCodec,
	[MessageType.HANDSHAKE_ACCEPT]: handshakeAcceptCodec,
	[MessageType.ERROR]: errorCodec,
	[MessageType.TRACK]: trackCodec,
	[MessageType.TELEMETRY]: telemetryCodec,
	[MessageType.TELEMETRY_BATCH]: telemetryBatchCodec,
	[MessageType.CONTROL]: controlCodec,
	[MessageType.CONTROL_BATCH]: controlBatchCodec,
	[MessageType.TRANSITION]: transitionBatchCodec,
	[MessageType.TRANSITION_BATCH]: transitionBatchCodec,
	[MessageType.BATCH_ACK]: batchAckCodec,
	[MessageType.EPISODE_SUMMARY]: episodeSummaryCodec,
	[MessageType.LAP]: lapCodec,
	[MessageType.WEIGHTS_UPDATE]: weightsUpdateCodec,
	[MessageType.WEIGHTS_ACK]: weightsAckCodec,
	[MessageType.EVALUATE]: evaluateCodec,
	[MessageType.PING]: pingCodec,
	[MessageType.PONG]: pongCodec
} as Record<MessageType, BodyCodec<Message>>;

export interface EncodeOptions {
	/** Override the size-based DEFLATE choice. */
	compress?: CompressMode;
	/** Column coding of transition batches (default `compact`). */
	columns?: ColumnMode;
}

export function encodeMessage(message: Message, options: EncodeOptions = {}): Uint8Array {
	const codec = CODECS[message.type];
	const payload = packr.pack(codec.encode(message, options.columns ?? 'compact'));
	// A learner inflates nothing before the handshake (an unauthenticated peer gets no inflate work).
	const compress = options.compress ?? codec.compress?.(message) ?? (message.type === MessageType.HANDSHAKE ? 'never' : 'auto');
	return writeFrame(message.type, payload, compress);
}

export class Decoder {
	readonly limits: Limits;
	/** Exceptions no check raised (bugs in this decoder, not the peer's input), each thrown as INTERNAL. */
	internalErrors = 0;

	constructor(limits?: Partial<Limits>) {
		this.limits = resolveLimits(limits);
	}

	/**
	 * Returns a validated message or throws ProtocolError; never anything else. The peer's bad input
	 * gets its check's code (MessagePack and DEFLATE failures included); an exception from a bug
	 * becomes INTERNAL (close 1011) with the original as `cause`, and is counted in internalErrors.
	 */
	decode(frame: Uint8Array): Message {
		let where = 'frame decoder';
		try {
			const header = readHeader(frame, this.limits);
			where = `${MESSAGE_TYPE_NAME[header.type]} decoder`;
			const body = Body.of(unpackBody(readPayload(frame, header)), MESSAGE_TYPE_NAME[header.type], this.limits);
			return CODECS[header.type].decode(body, header.type);
		} catch (error) {
			if (error instanceof ProtocolError) throw error;
			this.internalErrors++;
			throw internalError(where, error);
		}
	}
}

/** Any failure inside msgpackr (bad tokens, truncation, a stack overflow on absurd nesting) is the peer's. */
function unpackBody(payload: Uint8Array): unknown {
	try {
		return unpackr.unpack(payload);
	} catch (error) {
		fail(ErrorCode.MALFORMED, `body is not valid MessagePack (${(error as Error)?.message ?? String(error)})`);
	}
}

const defaultDecoder = new Decoder();

/** Decodes with DEFAULT_LIMITS; use a Decoder for other limits. */
export function decodeMessage(frame: Uint8Array): Message {
	return defaultDecoder.decode(frame);
}

/** The ERROR message that reports `error` to the peer, its text cut to what a peer's decoder accepts. */
export function errorMessage(error: ProtocolError, fatal = true): Message {
	const max = DEFAULT_LIMITS.maxStringLength;
	const message = error.message.length > max ? `${error.message.slice(0, max - 1)}…` : error.message;
	return { type: MessageType.ERROR, code: error.code, message, fatal, closeCode: error.closeCode };
}
