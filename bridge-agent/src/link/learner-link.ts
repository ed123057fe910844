/**
 * The agent's connection to the learner: handshake, transition batches with sequence numbers,
 * episode summaries, heartbeats with health figures, telemetry for the live view, weights in and
 * acks out. Reconnects with exponential backoff and jitter, and when the learner falls silent for
 * `silenceTimeoutMs` (a half-open link). With several URLs (gateways, docs/scale-out.md) a lost
 * connection is tried again once, then each failed attempt moves on to the next URL (failover in
 * about a second); the backoff grows only once every URL has failed in a row.
 *
 * Delivery: every batch is kept until the learner reports it durable (in a saved checkpoint);
 * what the learner has stored but not yet made durable is not sent again to the same learner, but
 * is resent to a restarted one (its HANDSHAKE_ACCEPT's lastSeq is then the checkpoint's). The
 * learner stores each seq once, so nothing within the buffer bound is lost or stored twice. Beyond
 * the bound the oldest batches go: counted as dropped unless the learner already stored them.
 */
import WebSocket from 'ws';
import {
	Decoder,
	ErrorCode,
	MessageType,
	encodeMessage,
	type ActorStats,
	type ColumnMode,
	type ControlBatch,
	type EpisodeSummary,
	type Evaluate,
	type Handshake,
	type HandshakeAccept,
	type LapReport,
	type Message,
	type TelemetryFrame,
	type TrackDescription,
	type TransitionBatch,
	type WeightsUpdate
} from '../../../src/lib/protocol/index.ts';
import type { Logger } from '../log.ts';

export const RECONNECT_MIN_MS = 500;
export const RECONNECT_MAX_MS = 10_000;
/** Errors after which reconnecting cannot help: the agent stops. */
const FATAL_CODES = new Set<string>([ErrorCode.UNAUTHORIZED, ErrorCode.VERSION_MISMATCH, ErrorCode.SPEC_MISMATCH]);

export interface LinkOptions {
	/** Tried in turn (one is the usual case). */
	urls: string[];
	token: string;
	hello: Handshake;
	/** Steps kept until the learner reports them durable. */
	bufferLimitSteps: number;
	/** Reconnect when nothing at all came from the learner for this long (it PINGs every heartbeat). */
	silenceTimeoutMs: number;
	columns: ColumnMode;
	log: Logger;
	stats(): ActorStats;
	/** Loads weights; returns '' or why they were refused. */
	onWeights(update: WeightsUpdate): string;
	onControl?(chunk: ControlBatch): void;
	onEvaluate?(request: Evaluate): void;
	onAccepted?(accept: HandshakeAccept): void;
	onFatal(code: string, message: string): void;
}

interface Pending {
	batch: TransitionBatch;
	frame: Uint8Array | undefined;
}

export class LearnerLink {
	private socket: WebSocket | undefined;
	private accepted: HandshakeAccept | undefined;
	private readonly decoder = new Decoder();
	private pending: Pending[] = [];
	private pendingSteps = 0;
	private nextSeq = 0;
	/** Set by this process's first HANDSHAKE_ACCEPT: until then its batches carry no valid seq. */
	private numbered = false;
	private retryMs = RECONNECT_MIN_MS;
	private urlIndex = 0;
	/** Connections in a row that closed without a HANDSHAKE_ACCEPT. */
	private failedInRow = 0;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private heartbeat: ReturnType<typeof setInterval> | undefined;
	private closed = false;
	private pingSeq = 0;
	private heardAt = 0;
	/** The highest seq the connected learner says it holds (its accept's lastSeq, then its acks). */
	private storedSeq = -1;
	private watchdog: ReturnType<typeof setInterval> | undefined;
	/** Steps dropped beyond the buffer bound before any learner stored them (lost). */
	droppedSteps = 0;
	/** Learner silences that forced a reconnect. */
	silences = 0;
	/** Steps handed to the link by this process (every batch it recorded). */
	recordedSteps = 0;
	/** Batches sent again (after a reconnect, to a learner that did not store them). */
	resentBatches = 0;
	reconnects = 0;
	rttMs: number | null = null;

	constructor(private readonly o: LinkOptions) {}

	get connected(): boolean {
		return this.accepted !== undefined && this.socket?.readyState === WebSocket.OPEN;
	}

	/** Steps kept: not yet durable on the learner. */
	get bufferedSteps(): number {
		return this.pendingSteps;
	}

	/** Steps the learner has not yet stored (sent or not). */
	get unstoredSteps(): number {
		let n = 0;
		for (const p of this.pending) if (!this.stored(p)) n += p.batch.n;
		return n;
	}

	/** The connected learner holds it (it was sent and acked); it is kept until durable in case that learner crashes. */
	private stored(p: Pending): boolean {
		return p.frame !== undefined && p.batch.seq <= this.storedSeq;
	}

	get acceptance(): HandshakeAccept | undefined {
		return this.accepted;
	}

	start(): void {
		this.connect();
	}

	/** The URL connected to, or tried next. */
	get url(): string {
		return this.o.urls[this.urlIndex];
	}

	private connect(): void {
		if (this.closed) return;
		const socket = new WebSocket(this.url, { headers: this.o.token ? { authorization: `Bearer ${this.o.token}` } : {} });
		this.socket = socket;
		socket.binaryType = 'nodebuffer';
		socket.on('open', () => socket.send(encodeMessage({ ...this.o.hello, token: this.o.token })));
		// The watchdog covers the whole attempt: an upgrade that is never answered is silence too.
		this.heardAt = Date.now();
		clearInterval(this.watchdog);
		this.watchdog = setInterval(() => this.checkSilence(socket), Math.max(100, this.o.silenceTimeoutMs / 4));
		socket.on('message', (data: Buffer) => {
			this.heardAt = Date.now();
			try {
				this.handle(this.decoder.decode(new Uint8Array(data)));
			} catch (error) {
				this.o.log.warn('bad frame from learner', { error: (error as Error).message });
			}
		});
		socket.on('unexpected-response', (_req, res) => {
			if (res.statusCode === 401) this.o.onFatal(ErrorCode.UNAUTHORIZED, 'learner refused the actor token (HTTP 401)');
			socket.terminate();
		});
		socket.on('error', (error) => this.o.log.debug('socket error', { error: error.message }));
		socket.on('close', (code) => {
			const wasAccepted = this.accepted !== undefined;
			this.accepted = undefined;
			clearInterval(this.heartbeat);
			clearInterval(this.watchdog);
			if (this.closed) return;
			const delay = this.retryMs * (0.5 + Math.random());
			this.failedInRow = wasAccepted ? 0 : this.failedInRow + 1;
			if (this.failedInRow % this.o.urls.length === 0) this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
			const from = this.url;
			// A connection that worked is tried again first; one that failed gives way to the next URL.
			if (!wasAccepted) this.urlIndex = (this.urlIndex + 1) % this.o.urls.length;
			this.o.log.info('learner connection closed; reconnecting', {
				code,
				url: from,
				next: this.url,
				inMs: Math.round(delay),
				bufferedSteps: this.pendingSteps
			});
			this.reconnects++;
			this.timer = setTimeout(() => this.connect(), delay);
		});
	}

	/** A learner silent past the timeout (half-open link, hung process) is given up on: reconnect. */
	private checkSilence(socket: WebSocket): void {
		if (socket !== this.socket || socket.readyState === WebSocket.CLOSED) return;
		const silentMs = Date.now() - this.heardAt;
		if (silentMs <= this.o.silenceTimeoutMs) return;
		this.silences++;
		this.o.log.warn('learner silent; reconnecting', { silentMs, timeoutMs: this.o.silenceTimeoutMs, bufferedSteps: this.pendingSteps });
		clearInterval(this.watchdog);
		socket.terminate(); // 'close' follows and schedules the reconnect
	}

	private handle(message: Message): void {
		switch (message.type) {
			case MessageType.HANDSHAKE_ACCEPT:
				this.accepted = message;
				this.retryMs = RECONNECT_MIN_MS;
				if (!this.numbered || message.lastSeq >= this.nextSeq) this.renumberFrom(message.lastSeq + 1);
				// This learner's view, whatever an earlier one said: stored up to lastSeq, durable up to durableSeq.
				this.storedSeq = message.lastSeq;
				this.freeUpTo(message.durableSeq ?? message.lastSeq);
				this.o.log.info('connected to learner', {
					runId: message.runId,
					policyVersion: message.policyVersion,
					lastSeq: message.lastSeq,
					resending: this.pending.filter((p) => p.frame && !this.stored(p)).length
				});
				// Batches this learner does not hold keep their seq (if sent before) and go again, in order.
				for (const p of this.pending) if (!this.stored(p)) this.transmit(p);
				clearInterval(this.heartbeat);
				this.heartbeat = setInterval(() => this.ping(), message.heartbeatIntervalMs);
				this.o.onAccepted?.(message);
				return;
			case MessageType.BATCH_ACK:
				this.storedSeq = Math.max(this.storedSeq, message.seq);
				return this.freeUpTo(message.durable ?? message.seq);
			case MessageType.WEIGHTS_UPDATE: {
				const error = this.o.onWeights(message);
				this.send({ type: MessageType.WEIGHTS_ACK, policyVersion: message.manifest.policyVersion, error });
				return;
			}
			case MessageType.CONTROL_BATCH:
				return this.o.onControl?.(message);
			case MessageType.EVALUATE:
				return this.o.onEvaluate?.(message);
			case MessageType.PING:
				return this.send({ type: MessageType.PONG, seq: message.seq, t: message.t });
			case MessageType.PONG:
				this.rttMs = Date.now() - message.t;
				return;
			case MessageType.ERROR:
				this.o.log.warn('learner reported an error', { code: message.code, message: message.message });
				if (message.fatal && FATAL_CODES.has(message.code)) this.o.onFatal(message.code, message.message);
				return;
			default:
				return;
		}
	}

	/**
	 * The learner's history for this actor id is not this process's (a restarted agent, a resumed
	 * run): every batch not yet acked is numbered anew after the learner's last stored seq, so none
	 * is taken for a resend (docs/protocol.md, BATCH_ACK).
	 */
	private renumberFrom(seq: number): void {
		if (this.numbered) this.o.log.warn('learner knows later batches of this actor id than this process sent: numbering anew', { from: seq });
		this.numbered = true;
		for (const p of this.pending) {
			p.batch.seq = seq++;
			p.frame = undefined;
		}
		this.nextSeq = seq;
	}

	/** Batches up to `seq` that were sent are durable on the learner: forget them. */
	private freeUpTo(seq: number): void {
		while (this.pending.length && this.pending[0].batch.seq <= seq && this.pending[0].frame) {
			this.pendingSteps -= this.pending.shift()!.batch.n;
		}
	}

	/** Messages other than the handshake go only to a learner that accepted this agent. */
	private send(message: Message): void {
		if (this.connected) this.socket!.send(encodeMessage(message));
	}

	private transmit(p: Pending): void {
		if (!this.connected) return;
		if (p.frame) this.resentBatches++;
		p.frame ??= encodeMessage(p.batch, { columns: this.o.columns });
		this.socket!.send(p.frame);
	}

	/** Queues a batch (its seq is assigned here) and sends it when connected. */
	sendBatch(batch: Omit<TransitionBatch, 'seq'>): void {
		const p: Pending = { batch: { ...batch, seq: this.nextSeq++ } as TransitionBatch, frame: undefined };
		this.pending.push(p);
		this.pendingSteps += batch.n;
		this.recordedSteps += batch.n;
		this.o.log.debug('batch recorded', { n: batch.n });
		while (this.pendingSteps > this.o.bufferLimitSteps && this.pending.length > 1) {
			const dropped = this.pending.shift()!;
			this.pendingSteps -= dropped.batch.n;
			if (this.stored(dropped)) continue; // the learner has it; only its crash could lose it now
			this.droppedSteps += dropped.batch.n;
			this.o.log.debug('batch dropped: buffer full', { n: dropped.batch.n, seq: dropped.batch.seq });
		}
		this.transmit(p);
	}

	sendEpisode(summary: Omit<EpisodeSummary, 'type'>): void {
		this.send({ type: MessageType.EPISODE_SUMMARY, ...summary });
	}

	/** The session's track (after each HANDSHAKE_ACCEPT) and each completed lap: best effort, like episode summaries. */
	sendTrack(track: Omit<TrackDescription, 'type'>): void {
		this.send({ type: MessageType.TRACK, ...track });
	}

	sendLap(lap: Omit<LapReport, 'type'>): void {
		this.send({ type: MessageType.LAP, ...lap });
	}

	sendTelemetry(frame: TelemetryFrame, obs?: Float32Array, requestId = 0): void {
		this.send({ type: MessageType.TELEMETRY, frame, requestId, ...(obs ? { obs } : {}) });
	}

	private ping(): void {
		this.send({ type: MessageType.PING, seq: this.pingSeq++, t: Date.now(), stats: this.o.stats() });
	}

	close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		clearInterval(this.heartbeat);
		clearInterval(this.watchdog);
		this.socket?.close(1000, 'agent stopping');
	}
}
