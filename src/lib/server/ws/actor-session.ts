/**
 * One /ws/actor connection: HANDSHAKE first, then data. Every bad frame gets an ERROR and the
 * close code of its ProtocolError; nothing from a peer can throw past this file.
 */
import type { WebSocket } from 'ws';
import {
	Decoder,
	ErrorCode,
	MessageType,
	PROTOCOL_VERSION,
	ProtocolError,
	encodeMessage,
	errorMessage,
	type Handshake,
	type Message
} from '../../protocol/index.ts';
import { tokenMatches } from '../auth.ts';
import type { ActorRecord, Runtime } from '../runtime/index.ts';

export const HEARTBEAT_INTERVAL_MS = 1000;
export const CONTROL_CHUNK = 10;
export const TELEMETRY_HZ = 5;

export class ActorSession {
	private record: ActorRecord | undefined;
	private readonly decoder: Decoder;

	constructor(
		private readonly socket: WebSocket,
		private readonly runtime: Runtime,
		private readonly address: string
	) {
		this.decoder = new Decoder(runtime.config.limits);
		socket.binaryType = 'nodebuffer';
		socket.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
		socket.on('close', () => this.record && runtime.removeActor(this.record.sessionId));
		socket.on('error', () => socket.terminate());
	}

	private send(message: Message): void {
		if (this.socket.readyState === this.socket.OPEN) this.socket.send(encodeMessage(message));
	}

	private refuse(error: ProtocolError): void {
		this.send(errorMessage(error, true));
		this.socket.close(error.closeCode, error.code);
	}

	private onFrame(data: Buffer, isBinary: boolean): void {
		try {
			if (!isBinary) throw new ProtocolError(ErrorCode.MALFORMED, 'text frames are not accepted on /ws/actor');
			this.handle(this.decoder.decode(data));
		} catch (error) {
			const protocolError = error instanceof ProtocolError
				? error
				: new ProtocolError(ErrorCode.INTERNAL, (error as Error)?.message ?? String(error));
			this.refuse(protocolError);
		}
	}

	private handle(message: Message): void {
		if (message.type === MessageType.PING) {
			this.send({ type: MessageType.PONG, seq: message.seq, t: message.t });
			if (this.record) this.record.lastSeenAt = Date.now();
			return;
		}
		if (message.type === MessageType.HANDSHAKE) return this.onHandshake(message);
		const record = this.record;
		if (!record) throw new ProtocolError(ErrorCode.HANDSHAKE_REQUIRED, `${message.type} before HANDSHAKE`);
		record.lastSeenAt = Date.now();
		switch (message.type) {
			case MessageType.TRANSITION:
			case MessageType.TRANSITION_BATCH:
				this.send({ type: MessageType.BATCH_ACK, seq: this.runtime.ingest(record, message) });
				return;
			case MessageType.PONG:
			case MessageType.EPISODE_SUMMARY:
			case MessageType.WEIGHTS_ACK:
			case MessageType.TELEMETRY:
			case MessageType.TELEMETRY_BATCH:
				return;
			default:
				throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `message type ${message.type} is not sent by actors`);
		}
	}

	private onHandshake(hello: Handshake): void {
		if (this.record) throw new ProtocolError(ErrorCode.HANDSHAKE_REQUIRED, 'second HANDSHAKE on one connection');
		if (hello.protocolVersion !== PROTOCOL_VERSION) {
			throw new ProtocolError(ErrorCode.VERSION_MISMATCH, `actor speaks protocol ${hello.protocolVersion}, learner ${PROTOCOL_VERSION}`);
		}
		if (!tokenMatches(this.runtime.config.actorToken, hello.token)) {
			throw new ProtocolError(ErrorCode.UNAUTHORIZED, 'wrong actor token');
		}
		this.record = this.runtime.addActor(hello, this.address);
		this.send({
			type: MessageType.HANDSHAKE_ACCEPT,
			protocolVersion: PROTOCOL_VERSION,
			sessionId: this.record.sessionId,
			runId: this.runtime.runId,
			policyVersion: 0,
			heartbeatIntervalMs: HEARTBEAT_INTERVAL_MS,
			lastSeq: this.record.lastSeq,
			controlChunk: CONTROL_CHUNK,
			maxFrameBytes: this.runtime.config.limits.maxFrameBytes,
			maxBatchSteps: this.runtime.config.limits.maxBatchSteps,
			telemetryHz: TELEMETRY_HZ
		});
	}
}
