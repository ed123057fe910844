/**
 * What an actor session needs from the process it runs in: the learner's Runtime, or a gateway
 * (src/lib/gateway) that puts what actors send on the bus. Sessions and the upgrade router speak
 * only to this, so both terminate actor WebSockets the same way (handshake, auth, limits, errors).
 *
 * The methods that take the frame get the bytes as the actor sent them, so a gateway can forward
 * them without encoding them again; the learner ignores it.
 */
import type {
	BatchAck,
	EpisodeSummary,
	Handshake,
	HandshakeAccept,
	LapReport,
	Limits,
	Ping,
	Telemetry,
	TelemetryBatch,
	TrackDescription,
	TransitionBatch,
	WeightsAck
} from '../../protocol/index.ts';
import type { LearnerOptions, ServerConfig } from '../config.ts';
import type { LimitedLog } from '../limited-log.ts';
import type { Log } from '../log.ts';
import type { ActorEntry, ActorLink } from '../runtime/actors.ts';
import type { Alerts } from '../runtime/alerts.ts';

/** The settings a session and the upgrade router read. */
export type HostConfig = Pick<ServerConfig, 'host' | 'publicOrigin' | 'actorToken' | 'consoleToken'> & {
	limits: Limits;
	learner: Pick<LearnerOptions, 'handshakeTimeoutMs' | 'maxPendingHandshakes'>;
};

export interface Admission {
	entry: ActorEntry;
	accept: HandshakeAccept;
}

export interface ActorHost {
	readonly config: HostConfig;
	/** Refused connections and sessions: logged within limits, counted by reason. */
	readonly refusals: LimitedLog;
	readonly alerts: Pick<Alerts, 'raise'>;
	/** False while a resuming process restores its state: handshakes wait for `started`. */
	readonly isStarted: boolean;
	readonly started: Promise<void>;
	logger(service: string): Log;
	/** Admits a handshake, at once or once the host knows enough; throws (or rejects with) the ProtocolError to refuse it with. */
	admit(hello: Handshake, address: string, link: ActorLink): Admission | Promise<Admission>;
	/** Called right after HANDSHAKE_ACCEPT went out. */
	welcome(entry: ActorEntry): void;
	/** The session closed (with the WebSocket close code it saw). */
	remove(sessionId: string, closeCode?: number): void;
	/** The BATCH_ACK to send, at once or once the batch is stored; throws (or rejects with) the ProtocolError to refuse it with. */
	ingest(entry: ActorEntry, batch: TransitionBatch, frame: Uint8Array): BatchAck | Promise<BatchAck>;
	heartbeat(entry: ActorEntry, ping: Ping): void;
	pong(entry: ActorEntry, t: number): void;
	episode(entry: ActorEntry, summary: EpisodeSummary, frame: Uint8Array): void;
	lap(entry: ActorEntry, message: LapReport, frame: Uint8Array): void;
	track(entry: ActorEntry, message: TrackDescription, frame: Uint8Array): void;
	weightsAck(entry: ActorEntry, ack: WeightsAck): void;
	telemetry(entry: ActorEntry, message: Telemetry | TelemetryBatch, frame: Uint8Array): void;
}
