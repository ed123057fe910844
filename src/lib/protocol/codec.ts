/**
 * encodeMessage / decodeMessage: frame ⇄ typed message. decodeMessage returns a fully validated
 * message or throws ProtocolError; it never returns part of a message.
 */
import { Packr, Unpackr } from 'msgpackr';
import { Body } from './body.ts';
import { ErrorCode, ProtocolError, fail } from './errors.ts';
import { readHeader, readPayload, writeFrame, type CompressMode } from './frame.ts';
import { resolveLimits, type Limits } from './limits.ts';
import type { BodyCodec, ColumnMode } from './messages/codec-types.ts';
import { controlBatchCodec, controlCodec } from './messages/control.ts';
import { pingCodec, pongCodec } from './messages/heartbeat.ts';
import { errorCodec, handshakeAcceptCodec, handshakeCodec } from './messages/session.ts';
import { telemetryBatchCodec, telemetryCodec } from './messages/telemetry.ts';
import { batchAckCodec, episodeSummaryCodec, transitionBatchCodec } from './messages/transitions.ts';
import { weightsAckCodec, weightsUpdateCodec } from './messages/weights.ts';
import { MESSAGE_TYPE_NAME, MessageType, type Message } from './types.ts';

// Plain MessagePack (maps with string keys, bin for bytes, no msgpackr records or extensions),
// so that any MessagePack library can read and write pitwall bodies.
const packr = new Packr({ useRecords: false, moreTypes: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: false, mapsAsObjects: true, int64AsType: 'number' });

const CODECS: Record<MessageType, BodyCodec<Message>> = {
	[MessageType.HANDSHAKE]: handshakeCodec,
	[MessageType.HANDSHAKE_ACCEPT]: handshakeAcceptCodec,
	[MessageType.ERROR]: errorCodec,
	[MessageType.TELEMETRY]: telemetryCodec,
	[MessageType.TELEMETRY_BATCH]: telemetryBatchCodec,
	[MessageType.CONTROL]: controlCodec,
	[MessageType.CONTROL_BATCH]: controlBatchCodec,
	[MessageType.TRANSITION]: transitionBatchCodec,
	[MessageType.TRANSITION_BATCH]: transitionBatchCodec,
	[MessageType.BATCH_ACK]: batchAckCodec,
	[MessageType.EPISODE_SUMMARY]: episodeSummaryCodec,
	[MessageType.WEIGHTS_UPDATE]: weightsUpdateCodec,
	[MessageType.WEIGHTS_ACK]: weightsAckCodec,
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
	const compress = options.compress ?? codec.compress?.(message) ?? 'auto';
	return writeFrame(message.type, payload, compress);
}

export class Decoder {
	readonly limits: Limits;

	constructor(limits?: Partial<Limits>) {
		this.limits = resolveLimits(limits);
	}

	/** Returns a validated message or throws ProtocolError; never anything else. */
	decode(frame: Uint8Array): Message {
		try {
			const header = readHeader(frame, this.limits);
			const payload = readPayload(frame, header);
			let fields: unknown;
			try {
				fields = unpackr.unpack(payload);
			} catch (error) {
				fail(ErrorCode.MALFORMED, `body is not valid MessagePack (${(error as Error).message})`);
			}
			const body = Body.of(fields, MESSAGE_TYPE_NAME[header.type], this.limits);
			return CODECS[header.type].decode(body, header.type);
		} catch (error) {
			if (error instanceof ProtocolError) throw error;
			// Anything else (e.g. a stack overflow on absurd nesting) is still the peer's malformed input.
			throw new ProtocolError(ErrorCode.MALFORMED, `undecodable frame (${(error as Error)?.message ?? String(error)})`);
		}
	}
}

const defaultDecoder = new Decoder();

/** Decodes with DEFAULT_LIMITS; use a Decoder for other limits. */
export function decodeMessage(frame: Uint8Array): Message {
	return defaultDecoder.decode(frame);
}

/** The ERROR message that reports `error` to the peer. */
export function errorMessage(error: ProtocolError, fatal = true): Message {
	return { type: MessageType.ERROR, code: error.code, message: error.message, fatal, closeCode: error.closeCode };
}
