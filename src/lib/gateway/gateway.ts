/**
 * A gateway: terminates actor WebSockets exactly as the learner does (the same ActorSession, so
 * the same handshake, auth, limits and errors) and puts what actors send on the bus —
 *   TRANSITION_BATCH           → the stream, acked to the actor once JetStream stored it (./outbox.ts)
 *   EPISODE_SUMMARY, LAP, TRACK → the stream, in order with the batches
 *   TELEMETRY(_BATCH)          → a core subject for the live view (rate-limited here)
 *   PING / PONG / WEIGHTS_ACK  → answered here; the figures go to the actor's KV record (./fleet-report.ts)
 * and hands out the weights the learner publishes (./weights-feed.ts), with the usual acks and
 * coalescing. Remote-mode actors are refused: remote inference is served by the learner only.
 */
import { randomUUID } from 'node:crypto';
import type { Subscription } from '@nats-io/transport-node';
import {
	CloseCode,
	Decoder,
	ErrorCode,
	MessageType,
	PROTOCOL_VERSION,
	ProtocolError,
	type BatchAck,
	type EpisodeSummary,
	type Handshake,
	type HandshakeAccept,
	type LapReport,
	type Ping,
	type Telemetry,
	type TelemetryBatch,
	type TrackDescription,
	type TransitionBatch,
	type WeightsAck
} from '../protocol/index.ts';
import type { Bus } from '../bus/connection.ts';
import { CLOSE_HEADER, actorIdOf, actorToken, batchMsgId, eventMsgId, keys, subjects } from '../bus/names.ts';
import { runRecord, type RunRecord } from '../bus/records.ts';
import { storedSeqOf } from '../bus/stored-seq.ts';
import { watchKeys, type Watch } from '../bus/watch.ts';
import { LimitedLog } from '../server/limited-log.ts';
import type { Log } from '../server/log.ts';
import { ActorRegistry } from '../server/runtime/actor-registry.ts';
import type { ActorEntry, ActorLink } from '../server/runtime/actors.ts';
import { Alerts } from '../server/runtime/alerts.ts';
import { systemClock, type Clock } from '../server/runtime/clock.ts';
import { batchMismatch, specMismatch } from '../server/runtime/specs.ts';
import { MAX_TRACKS_PER_SESSION } from '../server/runtime/laps.ts';
import { TelemetryGate } from '../server/runtime/telemetry-gate.ts';
import { WeightsBroadcaster } from '../server/runtime/weights-broadcaster.ts';
import type { ActorHost } from '../server/ws/actor-host.ts';
import type { GatewayConfig } from './config.ts';
import { FleetReport } from './fleet-report.ts';
import { Outbox } from './outbox.ts';
import { WeightsFeed } from './weights-feed.ts';

const TICK_MS = 250;
/** Room for the subject and headers beside a frame in one NATS message. */
const NATS_HEADROOM_BYTES = 4096;
/** nats-server's default max_payload, if the connection does not say. */
const NATS_MAX_PAYLOAD = 1024 * 1024;

/** A close reason fits a close frame: at most 123 UTF-8 bytes. */
function closeReason(data: Uint8Array): string {
	let reason = new TextDecoder().decode(data.subarray(0, 123));
	while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
	return reason;
}

interface Session {
	entry: ActorEntry;
	token: string;
	outbox: Outbox;
	/** Highest seq handed to the outbox (a resend at or below it is not published again). */
	acceptedSeq: number;
	/** Highest seq the bus has stored (what the actor is acked). */
	storedSeq: number;
	/** Events sent on this session (their de-duplication ids). */
	events: number;
}

export class Gateway implements ActorHost {
	readonly refusals: LimitedLog;
	readonly alerts: Alerts;
	readonly started: Promise<void>;
	isStarted = false;
	private readonly registry: ActorRegistry;
	private readonly sessions = new Map<string, Session>();
	private readonly weights: WeightsBroadcaster;
	private readonly feed: WeightsFeed;
	private readonly telemetryGate: TelemetryGate;
	private readonly report: FleetReport;
	private readonly decoder: Decoder;
	private run: RunRecord | undefined;
	private commands: Subscription | undefined;
	private runWatch: Watch | undefined;
	private timer: ReturnType<typeof setInterval> | undefined;
	private accepting = true;
	/** The largest frame the bus takes in one message (nats-server's max_payload, 1 MB by default). */
	private readonly maxFrameBytes: number;

	constructor(
		readonly config: GatewayConfig,
		private readonly bus: Bus,
		private readonly log: Log,
		private readonly clock: Clock = systemClock
	) {
		const { learner } = config;
		this.refusals = new LimitedLog(clock);
		this.alerts = new Alerts(clock, this.logger('alerts'));
		this.decoder = new Decoder(config.limits);
		this.maxFrameBytes = Math.min(config.limits.maxFrameBytes, (bus.nc.info?.max_payload ?? NATS_MAX_PAYLOAD) - NATS_HEADROOM_BYTES);
		this.registry = new ActorRegistry(learner, clock, this.logger('actors'), this.alerts);
		this.feed = new WeightsFeed(bus, config.runId, () => this.weights.broadcast(this.registry.all()), this.logger('weights'));
		this.weights = new WeightsBroadcaster(() => this.feed.latest, learner, this.alerts, this.logger('weights'));
		this.telemetryGate = new TelemetryGate(learner.maxTelemetryPerSec, clock);
		this.report = new FleetReport(bus, config.runId, config.name, this.logger('fleet'));
		this.started = this.start().then(() => {
			this.isStarted = true;
		});
	}

	private async start(): Promise<void> {
		const { runId } = this.config;
		this.runWatch = watchKeys(
			this.bus.kv,
			keys.run(runId),
			(entry) => {
				if (entry.operation === 'PUT') this.run = runRecord.decode(entry.value) ?? this.run;
			},
			this.log
		);
		await this.runWatch.opened;
		await this.feed.start();
		this.commands = this.bus.nc.subscribe(subjects.commandAll(runId), {
			// A callback that throws would stop the connection's reader: nothing may escape it.
			callback: (error, msg) => {
				if (error) return this.log.warn({ err: error.message }, 'command subscription error');
				try {
					this.command(msg.subject, msg.data, msg.headers?.get(CLOSE_HEADER));
				} catch (failure) {
					this.log.error({ err: failure, subject: msg.subject }, 'could not carry out a command from the learner');
				}
			}
		});
		this.timer = setInterval(() => this.tick(), Math.min(this.config.learner.heartbeatIntervalMs, TICK_MS));
	}

	logger(service: string): Log {
		return this.log.child({ service });
	}

	/** Figures for GET /status and the logs. */
	status() {
		let published = 0;
		let queued = 0;
		let retries = 0;
		for (const s of this.sessions.values()) {
			published += s.outbox.published;
			queued += s.outbox.queued;
			retries += s.outbox.retries;
		}
		return {
			name: this.config.name,
			runId: this.config.runId,
			actors: this.registry.size,
			policyVersion: this.feed.latest?.version ?? 0,
			bus: this.bus.nc.isClosed() ? 'closed' : 'open',
			published,
			queued,
			retries,
			refusals: this.refusals.totals()
		};
	}

	async admit(hello: Handshake, address: string, link: ActorLink): Promise<{ entry: ActorEntry; accept: HandshakeAccept }> {
		if (!this.accepting) throw new ProtocolError(ErrorCode.INTERNAL, 'gateway is shutting down');
		if (hello.mode === 'remote') {
			throw new ProtocolError(
				ErrorCode.INVALID_FIELD,
				'remote inference is served by the learner only: connect this actor to the learner, or run it in local mode'
			);
		}
		const mismatch = this.run && specMismatch(this.run.obsSpec, this.run.actionSpec, hello);
		if (mismatch) throw new ProtocolError(ErrorCode.SPEC_MISMATCH, mismatch);
		const entry = this.registry.admit(hello, address, link, randomUUID());
		const token = actorToken(hello.actorId);
		let lastSeq: number;
		try {
			lastSeq = await storedSeqOf(this.bus, this.config.runId, token);
			await this.report.admitted(entry); // before any batch: the learner finds the actor's HANDSHAKE here
		} catch (error) {
			this.registry.remove(entry.sessionId);
			throw new ProtocolError(ErrorCode.INTERNAL, `the bus is not answering (${(error as Error).message}): reconnect later`);
		}
		const outbox = new Outbox(
			this.bus.js,
			{ maxQueued: this.config.maxQueuedBatches, publishTimeoutMs: 5000, retryMs: 250 },
			this.logger('outbox').child({ actorId: hello.actorId })
		);
		this.sessions.set(entry.sessionId, { entry, token, outbox, acceptedSeq: lastSeq, storedSeq: lastSeq, events: 0 });
		const { limits, learner } = this.config;
		const accept: HandshakeAccept = {
			type: MessageType.HANDSHAKE_ACCEPT,
			protocolVersion: PROTOCOL_VERSION,
			sessionId: entry.sessionId,
			runId: this.config.runId,
			policyVersion: this.feed.latest?.version ?? 0,
			heartbeatIntervalMs: learner.heartbeatIntervalMs,
			lastSeq,
			durableSeq: lastSeq,
			controlChunk: 1,
			maxFrameBytes: this.maxFrameBytes,
			maxBatchSteps: limits.maxBatchSteps,
			telemetryHz: learner.telemetryHz
		};
		return { entry, accept };
	}

	welcome(entry: ActorEntry): void {
		this.weights.send(entry);
	}

	remove(sessionId: string, closeCode?: number): void {
		const session = this.sessions.get(sessionId);
		this.registry.remove(sessionId, closeCode);
		if (!session) return;
		this.sessions.delete(sessionId);
		session.outbox.close();
		this.report.remove(session.entry);
	}

	private session(entry: ActorEntry): Session {
		const session = this.sessions.get(entry.sessionId);
		if (!session) throw new ProtocolError(ErrorCode.INTERNAL, 'no gateway session for this actor');
		return session;
	}

	async ingest(entry: ActorEntry, batch: TransitionBatch, frame: Uint8Array): Promise<BatchAck> {
		const mismatch = batchMismatch(entry.hello, batch);
		if (mismatch) throw new ProtocolError(ErrorCode.SPEC_MISMATCH, mismatch);
		const session = this.session(entry);
		this.fits(frame);
		if (batch.seq > session.acceptedSeq) {
			session.acceptedSeq = batch.seq;
			entry.countSamples(batch.n);
			await session.outbox.batch(subjects.batch(this.config.runId, session.token), batch.seq, batchMsgId(this.config.runId, session.token, batch.seq), frame);
			session.storedSeq = Math.max(session.storedSeq, batch.seq);
		}
		return { type: MessageType.BATCH_ACK, seq: session.storedSeq, durable: session.storedSeq };
	}

	/** The bus takes one message up to its max_payload: a larger frame would never be stored. */
	private fits(frame: Uint8Array): void {
		if (frame.length > this.maxFrameBytes) {
			throw new ProtocolError(
				ErrorCode.LIMIT_EXCEEDED,
				`a ${frame.length}-byte frame: this gateway's bus takes frames up to ${this.maxFrameBytes} bytes (nats-server max_payload); send smaller batches`
			);
		}
	}

	private event(entry: ActorEntry, frame: Uint8Array): void {
		const session = this.session(entry);
		this.fits(frame);
		const { runId } = this.config;
		session.outbox.event(subjects.event(runId, session.token), eventMsgId(runId, session.token, entry.sessionId, session.events++), frame);
	}

	episode(entry: ActorEntry, summary: EpisodeSummary, frame: Uint8Array): void {
		entry.rates.episodes.take(this.clock.now(), this.config.learner.maxEpisodesPerSec, 'episode summaries');
		entry.episode(summary);
		this.event(entry, frame);
	}

	lap(entry: ActorEntry, _message: LapReport, frame: Uint8Array): void {
		entry.rates.laps.take(this.clock.now(), this.config.learner.maxEpisodesPerSec, 'laps');
		this.event(entry, frame);
	}

	track(entry: ActorEntry, message: TrackDescription, frame: Uint8Array): void {
		if (++entry.tracksSent > MAX_TRACKS_PER_SESSION)
			throw new ProtocolError(ErrorCode.RATE_LIMITED, `more than ${MAX_TRACKS_PER_SESSION} TRACK messages in one session`);
		entry.track = message.name;
		this.event(entry, frame);
	}

	telemetry(entry: ActorEntry, message: Telemetry | TelemetryBatch, frame: Uint8Array): void {
		this.telemetryGate.receive(entry, message);
		this.bus.nc.publish(subjects.live(this.config.runId, this.session(entry).token), frame);
	}

	heartbeat(entry: ActorEntry, ping: Ping): void {
		this.registry.heartbeat(entry, ping);
	}

	pong(entry: ActorEntry, t: number): void {
		this.registry.pong(entry, t);
	}

	weightsAck(entry: ActorEntry, ack: WeightsAck): void {
		this.weights.ack(entry, ack);
	}

	/** From the learner: a frame for one of our actors, or a close. */
	private command(subject: string, data: Uint8Array, close: string | undefined): void {
		const entry = this.registry.byActorId(actorIdOf(subject.split('.').at(-1) ?? ''));
		if (!entry) return;
		if (close) {
			const code = Number(close);
			entry.link.close(code >= 4000 && code <= 4999 ? code : CloseCode.KICKED, closeReason(data));
			return this.remove(entry.sessionId);
		}
		try {
			this.decoder.decode(data); // the learner sends only valid frames; check anyway
			entry.link.sendFrame(data);
		} catch (error) {
			this.log.warn({ err: (error as Error).message, subject }, 'dropped a malformed frame from the learner');
		}
	}

	tick(): void {
		this.registry.tick();
		this.weights.tick(this.registry.all(), this.feed.latest?.version ?? 0, Infinity);
		this.report.tick(this.registry.all());
		this.refusals.flush();
	}

	/** No more actors; sessions are closed by the server. */
	async close(): Promise<void> {
		this.accepting = false;
		this.registry.close();
		clearInterval(this.timer);
		this.feed.stop();
		this.runWatch?.stop();
		this.commands?.unsubscribe();
		await Promise.allSettled([...this.sessions.values()].map((s) => this.report.remove(s.entry)));
	}
}
