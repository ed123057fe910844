/**
 * One /ws/actor connection: HANDSHAKE first, then data. Every bad frame gets an ERROR and the
 * close code of its ProtocolError; nothing from a peer can throw past this file. The session holds
 * only its socket: everything it learns goes to the runtime.
 *
 * Before the handshake only an uncompressed HANDSHAKE is read: the header of anything else is
 * refused before its body is decoded or inflated (HANDSHAKE_REQUIRED, or BAD_FLAGS when
 * compressed), within handshakeTimeoutMs, and at most maxPendingHandshakes connections wait for
 * theirs at once (./handshake-gate.ts).
 *
 * The host is the learner's runtime or a gateway (./actor-host.ts); an ingest the host answers
 * later (a gateway acks once the bus has stored the batch) is acked when it resolves.
 */
import type { WebSocket } from 'ws';
import {
	Decoder,
	ErrorCode,
	MESSAGE_TYPE_NAME,
	MessageType,
	PROTOCOL_VERSION,
	ProtocolError,
	encodeMessage,
	errorMessage,
	internalError,
	readHeader,
	type BatchAck,
	type Handshake,
	type Message
} from '../../protocol/index.ts';
import { tokenMatches } from '../auth.ts';
import type { Log } from '../log.ts';
import type { ActorEntry, ActorLink } from '../runtime/actors.ts';
import type { ActorHost, Admission } from './actor-host.ts';
import { discardInput } from './discard-input.ts';
import { HandshakeGate, systemTimers, type Timers } from './handshake-gate.ts';

/** Frames held while a handshake waits for a resuming learner (a well-behaved actor sends none). */
const MAX_WAITING_FRAMES = 64;

export interface SessionOptions {
	/** For the handshake timeout (tests pass fake ones). */
	timers?: Timers;
}

export class ActorSession implements ActorLink {
	private entry: ActorEntry | undefined;
	private readonly decoder: Decoder;
	private pendingAck: BatchAck | undefined;
	/** Frames that came while the handshake waited for a resuming learner; handled once admitted. */
	private waiting: Buffer[] | undefined;
	private readonly log: Log;
	/** An ERROR was sent and the close begun: nothing more from this peer is handled. */
	private refused = false;
	/** Until the HANDSHAKE is accepted: the pending count and the timeout. */
	private gate: HandshakeGate | undefined;

	constructor(
		private readonly socket: WebSocket,
		private readonly runtime: ActorHost,
		private readonly address: string,
		options: SessionOptions = {}
	) {
		this.decoder = new Decoder(runtime.config.limits);
		this.log = runtime.logger('session');
		socket.binaryType = 'nodebuffer';
		socket.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
		socket.on('close', (code) => {
			this.gate?.leave();
			if (this.entry) runtime.remove(this.entry.sessionId, code);
		});
		socket.on('error', () => socket.terminate());
		try {
			this.gate = new HandshakeGate(runtime, runtime.config.learner, options.timers ?? systemTimers, (error) => {
				if (this.socket.readyState === this.socket.OPEN) this.refuse(error);
			});
		} catch (error) {
			this.refuse(error instanceof ProtocolError ? error : internalError('actor session', error));
		}
	}

	get bufferedAmount(): number {
		return this.socket.bufferedAmount;
	}

	send(message: Message): void {
		this.sendFrame(encodeMessage(message));
	}

	sendFrame(frame: Uint8Array): void {
		if (this.socket.readyState !== this.socket.OPEN) return;
		this.socket.send(frame);
		if (this.entry) this.entry.bytesOut += frame.length;
	}

	close(code: number, reason: string): void {
		this.socket.close(code, reason);
	}

	/**
	 * Acks are cumulative: batches that arrive in one burst get one BATCH_ACK with the highest seq,
	 * sent once the burst has been read.
	 */
	private ackLater(ack: BatchAck): void {
		const first = this.pendingAck === undefined;
		this.pendingAck = ack;
		if (first) {
			setImmediate(() => {
				const latest = this.pendingAck!;
				this.pendingAck = undefined;
				this.send(latest);
			});
		}
	}

	/** A later answer finds the session as it is then: refused or gone, nothing more is sent. */
	private ackWhenStored(ack: BatchAck | Promise<BatchAck>): void {
		if (!(ack instanceof Promise)) return this.ackLater(ack);
		const open = () => !this.refused && this.socket.readyState === this.socket.OPEN;
		ack.then(
			(stored) => open() && this.ackLater(stored),
			(error: unknown) => open() && this.refuse(error instanceof ProtocolError ? error : internalError('actor session', error))
		);
	}

	private refuse(error: ProtocolError): void {
		const fields = { code: error.code, closeCode: error.closeCode, actorId: this.entry?.id, address: this.address };
		const { refusals } = this.runtime;
		if (error.code === ErrorCode.INTERNAL) refusals.error(this.log, error.code, { ...fields, err: error.cause ?? error }, `actor refused: ${error.message}`);
		else refusals.warn(this.log, error.code, fields, `actor refused: ${error.message}`);
		this.gate?.stopClock();
		this.send(errorMessage(error, true));
		this.refused = true;
		this.socket.close(error.closeCode, error.code);
		discardInput(this.socket);
	}

	private onFrame(data: Buffer, isBinary: boolean): void {
		// Refused: whatever else the peer had in flight is not read (a burst after a bad frame costs nothing).
		if (this.refused) return;
		if (this.waiting) {
			if (this.waiting.length < MAX_WAITING_FRAMES) this.waiting.push(data);
			else this.refuse(new ProtocolError(ErrorCode.RATE_LIMITED, `more than ${MAX_WAITING_FRAMES} frames before the handshake was answered`));
			return;
		}
		try {
			if (!isBinary) throw new ProtocolError(ErrorCode.MALFORMED, 'text frames are not accepted on /ws/actor');
			if (!this.entry) return this.beforeHandshake(data);
			this.entry.seen(data.length);
			this.handle(this.entry, this.decoder.decode(data), data);
		} catch (error) {
			if (error instanceof ProtocolError) {
				if (error.code === ErrorCode.NON_FINITE && this.entry) {
					this.runtime.alerts.raise('non-finite', `refused non-finite values from ${this.entry.hello.actorName}: ${error.message}`, this.entry.id);
				}
				this.refuse(error);
			} else {
				this.refuse(internalError('actor session', error));
			}
		}
	}

	/** Only an uncompressed HANDSHAKE: the header says so before anything is decoded or inflated. */
	private beforeHandshake(frame: Buffer): void {
		const header = readHeader(frame, this.decoder.limits);
		if (header.type !== MessageType.HANDSHAKE) {
			throw new ProtocolError(ErrorCode.HANDSHAKE_REQUIRED, `message type ${MESSAGE_TYPE_NAME[header.type]} (${header.type}) before HANDSHAKE`);
		}
		if (header.compressed) {
			throw new ProtocolError(
				ErrorCode.BAD_FLAGS,
				'a compressed frame before the handshake is accepted (nothing is inflated for it): send HANDSHAKE uncompressed'
			);
		}
		this.onHandshake(this.decoder.decode(frame) as Handshake);
	}

	private handle(entry: ActorEntry, message: Message, frame: Buffer): void {
		switch (message.type) {
			case MessageType.HANDSHAKE:
				throw new ProtocolError(ErrorCode.HANDSHAKE_REQUIRED, 'second HANDSHAKE on one connection');
			case MessageType.PING:
				this.runtime.heartbeat(entry, message); // first: it throws RATE_LIMITED for a flood, which gets no PONG
				return this.send({ type: MessageType.PONG, seq: message.seq, t: message.t });
			case MessageType.TRANSITION:
			case MessageType.TRANSITION_BATCH:
				return this.ackWhenStored(this.runtime.ingest(entry, message, frame));
			case MessageType.PONG:
				return this.runtime.pong(entry, message.t);
			case MessageType.EPISODE_SUMMARY:
				return this.runtime.episode(entry, message, frame);
			case MessageType.LAP:
				return this.runtime.lap(entry, message, frame);
			case MessageType.TRACK:
				return this.runtime.track(entry, message, frame);
			case MessageType.WEIGHTS_ACK:
				return this.runtime.weightsAck(entry, message);
			case MessageType.TELEMETRY:
			case MessageType.TELEMETRY_BATCH:
				return this.runtime.telemetry(entry, message, frame);
			case MessageType.ERROR:
				return; // the actor reports a problem; it closes if fatal
			default:
				throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `message type ${message.type} is not sent by actors`);
		}
	}

	private onHandshake(hello: Handshake): void {
		if (hello.protocolVersion !== PROTOCOL_VERSION) {
			throw new ProtocolError(ErrorCode.VERSION_MISMATCH, `actor speaks protocol ${hello.protocolVersion}, learner ${PROTOCOL_VERSION}`);
		}
		if (!tokenMatches(this.runtime.config.actorToken, hello.token)) throw new ProtocolError(ErrorCode.UNAUTHORIZED, 'wrong actor token');
		this.gate?.leave(); // authenticated: from here --max-actors applies (in the registry)
		this.gate = undefined;
		const admitted = this.runtime.isStarted ? this.runtime.admit(hello, this.address, this) : undefined;
		if (admitted && !(admitted instanceof Promise)) return this.welcome(admitted);
		this.admitLater(hello, admitted);
	}

	private welcome({ entry, accept }: Admission): void {
		this.entry = entry;
		this.send(accept);
		this.runtime.welcome(entry);
	}

	/**
	 * A resuming learner answers once its checkpoint is restored, a gateway once the bus said what
	 * it holds of this actor; what comes meanwhile waits.
	 */
	private admitLater(hello: Handshake, admitted: Promise<Admission> | undefined): void {
		this.waiting = [];
		const admission = admitted ?? this.runtime.started.then(() => this.runtime.admit(hello, this.address, this));
		admission.then(
			(admission) => {
				const waiting = this.waiting ?? [];
				this.waiting = undefined;
				if (this.socket.readyState !== this.socket.OPEN) return this.runtime.remove(admission.entry.sessionId);
				this.welcome(admission);
				for (const frame of waiting) this.onFrame(frame, true);
			},
			(error: unknown) => {
				this.waiting = undefined;
				if (this.socket.readyState === this.socket.OPEN) this.refuse(error instanceof ProtocolError ? error : internalError('actor session', error));
			}
		);
	}
}
