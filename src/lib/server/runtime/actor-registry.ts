/**
 * The actor registry: who is connected. Admits handshakes (capacity, duplicates, shutdown),
 * pings everyone each heartbeat interval, measures RTT, and closes actors that went silent.
 */
import { CloseCode, ErrorCode, MessageType, ProtocolError, type ActorInfo, type Handshake, type Ping, type TransitionCounts } from '../../protocol/index.ts';
import type { Log } from '../log.ts';
import { ActorEntry, type ActorLink } from './actors.ts';
import type { Alerts } from './alerts.ts';
import type { Clock } from './clock.ts';

/** WebSocket close code for a connection that ended without a close frame (process killed, link cut). */
export const ABNORMAL_CLOSE = 1006;

export interface RegistryOptions {
	maxActors: number;
	heartbeatIntervalMs: number;
	/** An actor silent this long is marked lost and closed. */
	actorTimeoutMs: number;
	/** Frames per second an actor may send, of any type (absent: no limit). */
	maxMessagesPerSec?: number;
	/** PINGs per second an actor may send (never below twice the heartbeat rate; absent: no limit). */
	maxPingsPerSec?: number;
}

export class ActorRegistry {
	private readonly bySession = new Map<string, ActorEntry>();
	private accepting = true;
	private pingSeq = 0;
	private lastPingAt = 0;

	constructor(
		private readonly o: RegistryOptions,
		private readonly clock: Clock,
		private readonly log: Log,
		private readonly alerts: Alerts
	) {}

	get size(): number {
		return this.bySession.size;
	}

	all(): IterableIterator<ActorEntry> {
		return this.bySession.values();
	}

	byActorId(actorId: string): ActorEntry | undefined {
		for (const entry of this.bySession.values()) if (entry.id === actorId) return entry;
		return undefined;
	}

	/** Registers a handshake's actor or throws the ProtocolError to refuse it with. */
	admit(hello: Handshake, address: string, link: ActorLink, sessionId: string): ActorEntry {
		if (!this.accepting) throw new ProtocolError(ErrorCode.INTERNAL, 'learner is shutting down');
		if (this.bySession.size >= this.o.maxActors) throw new ProtocolError(ErrorCode.TOO_MANY_ACTORS, `learner has its maximum of ${this.o.maxActors} actors`);
		if (this.byActorId(hello.actorId)) throw new ProtocolError(ErrorCode.INVALID_FIELD, `actor id ${hello.actorId} is already connected`);
		const entry = new ActorEntry(sessionId, hello, address, link, this.clock, this.o.maxMessagesPerSec);
		this.bySession.set(sessionId, entry);
		this.log.info({ actorId: hello.actorId, actorName: hello.actorName, address, mode: hello.mode, source: hello.source, sessionId }, 'actor connected');
		return entry;
	}

	/** The session ended; a connection that dropped without a close frame is an actor lost at once. */
	remove(sessionId: string, closeCode?: number): void {
		const entry = this.bySession.get(sessionId);
		if (!entry) return;
		this.bySession.delete(sessionId);
		this.log.info({ actorId: entry.id, sessionId, samples: entry.samples, closeCode }, 'actor disconnected');
		if (closeCode === ABNORMAL_CLOSE && this.accepting && entry.state === 'connected') {
			this.alerts.raise(
				'actor-lost',
				`actor ${entry.hello.actorName}'s connection dropped without a close (${ABNORMAL_CLOSE}): process killed or link cut`,
				entry.id
			);
		}
	}

	/** Closes an actor's connection from the console; false when no such actor is connected. */
	disconnect(actorId: string): boolean {
		const entry = this.byActorId(actorId);
		if (!entry) return false;
		entry.link.close(CloseCode.KICKED, 'disconnected from the console');
		this.remove(entry.sessionId);
		return true;
	}

	/** No more admissions (shutdown). */
	close(): void {
		this.accepting = false;
	}

	/** PING from an actor: its health figures (throws RATE_LIMITED past maxPingsPerSec, or twice the heartbeat rate if higher). */
	heartbeat(entry: ActorEntry, ping: Ping): void {
		const { maxPingsPerSec = Infinity, heartbeatIntervalMs } = this.o;
		entry.rates.pings.take(this.clock.now(), Math.max(maxPingsPerSec, Math.ceil(2000 / heartbeatIntervalMs)), 'PINGs');
		if (ping.stats) entry.health = ping.stats;
	}

	/** A PONG to our PING sent at `t` (our clock). */
	pong(entry: ActorEntry, t: number): void {
		entry.rttMs = this.clock.now() - t;
	}

	samplesPerSec(): number {
		let total = 0;
		for (const entry of this.bySession.values()) total += entry.samplesPerSec();
		return total;
	}

	infos(policyVersion: number, transitions: (actorId: string) => TransitionCounts): ActorInfo[] {
		return [...this.bySession.values()].map((e) => e.info(policyVersion, transitions(e.id)));
	}

	/** Liveness and pings; called by the runtime's timer. */
	tick(): void {
		const now = this.clock.now();
		for (const entry of this.bySession.values()) {
			if (now - entry.lastSeenAt > this.o.actorTimeoutMs && entry.state === 'connected') {
				entry.state = 'lost';
				this.alerts.raise('actor-lost', `actor ${entry.hello.actorName} silent for ${Math.round((now - entry.lastSeenAt) / 1000)} s`, entry.id);
				entry.link.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
			}
		}
		if (now - this.lastPingAt >= this.o.heartbeatIntervalMs) {
			this.lastPingAt = now;
			const ping = { type: MessageType.PING, seq: this.pingSeq++, t: now } as const;
			for (const entry of this.bySession.values()) entry.link.send(ping);
		}
	}
}
