/**
 * Typed protocol errors. Every decode failure maps to one stable `code` and one WebSocket close
 * code, so a peer (in any language) can react to the code and a human can read the message.
 */

/** WebSocket close codes used by pitwall (RFC 6455 §7.4 plus the 4000–4999 private range). */
export const CloseCode = {
	NORMAL: 1000,
	GOING_AWAY: 1001,
	PROTOCOL_ERROR: 1002,
	UNSUPPORTED_DATA: 1003,
	INVALID_PAYLOAD: 1007,
	POLICY_VIOLATION: 1008,
	MESSAGE_TOO_BIG: 1009,
	INTERNAL_ERROR: 1011,
	UNAUTHORIZED: 4001,
	VERSION_MISMATCH: 4002,
	SPEC_MISMATCH: 4003,
	HANDSHAKE_REQUIRED: 4004,
	TOO_MANY_ACTORS: 4005,
	RATE_LIMITED: 4006,
	HEARTBEAT_TIMEOUT: 4007,
	KICKED: 4008
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Stable error codes, sent in ERROR messages and carried by ProtocolError. */
export const ErrorCode = {
	/** Frame shorter than its header or than the length it declares. */
	TRUNCATED: 'TRUNCATED',
	/** First two bytes are not the "PW" magic. */
	BAD_MAGIC: 'BAD_MAGIC',
	/** Frame or handshake protocol version is not ours. */
	VERSION_MISMATCH: 'VERSION_MISMATCH',
	/** Unknown message type byte. */
	UNKNOWN_TYPE: 'UNKNOWN_TYPE',
	/** Reserved flag bits or reserved bytes are not zero. */
	BAD_FLAGS: 'BAD_FLAGS',
	/** A size (frame, decompressed body, batch, dims, strings) crosses a named limit. */
	LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
	/** Deflate stream is corrupt or does not inflate to exactly the declared size. */
	DECOMPRESSION_FAILED: 'DECOMPRESSION_FAILED',
	/** The body is not valid MessagePack. */
	MALFORMED: 'MALFORMED',
	/** A field is missing, has the wrong type, or has a length that contradicts the dims. */
	INVALID_FIELD: 'INVALID_FIELD',
	/** NaN or ±Infinity where a finite number is required. */
	NON_FINITE: 'NON_FINITE',
	/** Actor or console token missing or wrong. */
	UNAUTHORIZED: 'UNAUTHORIZED',
	/** Obs/action spec incompatible with the learner's. */
	SPEC_MISMATCH: 'SPEC_MISMATCH',
	/** A data message arrived before a successful HANDSHAKE, or the handshake came twice. */
	HANDSHAKE_REQUIRED: 'HANDSHAKE_REQUIRED',
	/** A message type that is valid but not allowed in this direction or mode. */
	UNEXPECTED_MESSAGE: 'UNEXPECTED_MESSAGE',
	/** Too many connected actors. */
	TOO_MANY_ACTORS: 'TOO_MANY_ACTORS',
	/** A peer sends faster than a named rate limit allows. */
	RATE_LIMITED: 'RATE_LIMITED',
	/** A bug on this side, not the peer's input (e.g. a TypeError in a decoder); the error keeps it as `cause`. */
	INTERNAL: 'INTERNAL'
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The close code that goes with each error code when the error is fatal for the connection. */
export const CLOSE_CODE_FOR: Record<ErrorCode, CloseCode> = {
	TRUNCATED: CloseCode.PROTOCOL_ERROR,
	BAD_MAGIC: CloseCode.PROTOCOL_ERROR,
	VERSION_MISMATCH: CloseCode.VERSION_MISMATCH,
	UNKNOWN_TYPE: CloseCode.PROTOCOL_ERROR,
	BAD_FLAGS: CloseCode.PROTOCOL_ERROR,
	LIMIT_EXCEEDED: CloseCode.MESSAGE_TOO_BIG,
	DECOMPRESSION_FAILED: CloseCode.INVALID_PAYLOAD,
	MALFORMED: CloseCode.INVALID_PAYLOAD,
	INVALID_FIELD: CloseCode.INVALID_PAYLOAD,
	NON_FINITE: CloseCode.INVALID_PAYLOAD,
	UNAUTHORIZED: CloseCode.UNAUTHORIZED,
	SPEC_MISMATCH: CloseCode.SPEC_MISMATCH,
	HANDSHAKE_REQUIRED: CloseCode.HANDSHAKE_REQUIRED,
	UNEXPECTED_MESSAGE: CloseCode.POLICY_VIOLATION,
	TOO_MANY_ACTORS: CloseCode.TOO_MANY_ACTORS,
	RATE_LIMITED: CloseCode.RATE_LIMITED,
	INTERNAL: CloseCode.INTERNAL_ERROR
};

export class ProtocolError extends Error {
	readonly code: ErrorCode;
	readonly closeCode: CloseCode;

	constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
		super(`${code}: ${message}`, options);
		this.name = 'ProtocolError';
		this.code = code;
		this.closeCode = CLOSE_CODE_FOR[code];
	}
}

export function fail(code: ErrorCode, message: string): never {
	throw new ProtocolError(code, message);
}

/**
 * An exception that no check raised (a TypeError, RangeError, … from a bug in `where`) as an
 * INTERNAL ProtocolError: the peer still gets an ERROR and close code 1011, and the original error
 * stays observable as `cause`. Never use it for the peer's bad input: that has its own code.
 */
export function internalError(where: string, cause: unknown): ProtocolError {
	const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
	return new ProtocolError(ErrorCode.INTERNAL, `${where} failed (${what})`, { cause });
}
