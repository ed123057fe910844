/**
 * The actors connected to gateways, as the learner sees them: from their records in the bus's KV
 * bucket (written by their gateways, ../../gateway/fleet-report.ts), and for an actor met first
 * in the stream (it may have left long ago), from its handshake kept there for the run. Each actor id has one
 * ActorEntry for the whole run — what the learner counts itself (samples, episodes, laps, the
 * live view) — whose connection figures (RTT, health, weights acked) are its newest session's.
 * A session whose record is deleted or not rewritten for STALE_MS is gone.
 */
import type { KvEntry } from '@nats-io/kv';
import type { ActorInfo, Handshake, TransitionCounts } from '../../protocol/index.ts';
import type { Bus } from '../../bus/connection.ts';
import { keys, parseActorKey } from '../../bus/names.ts';
import { actorRecord, helloRecord, type ActorRecord } from '../../bus/records.ts';
import { watchKeys, type Watch } from '../../bus/watch.ts';
import type { Log } from '../log.ts';
import { ActorEntry } from '../runtime/actors.ts';
import type { Clock } from '../runtime/clock.ts';
import { BusLink } from './bus-link.ts';

/** A session record not rewritten for this long is gone (gateways rewrite every 2 s). */
export const STALE_MS = 10_000;

interface BusActor {
	entry: ActorEntry;
	/** Live sessions by id: the record and when this process last heard of it. */
	sessions: Map<string, { record: ActorRecord; heardAt: number }>;
}

export class BusFleet {
	private readonly actors = new Map<string, BusActor>();
	private watch: Watch | undefined;

	constructor(
		private readonly bus: Bus,
		private readonly runId: string,
		private readonly clock: Clock,
		private readonly log: Log,
		/** A new actor id: the runtime checks its specs (and starts the trainer for the first); returns why it does not fit, if it does not. */
		private readonly onNewActor: (entry: ActorEntry) => string | undefined
	) {}

	async start(): Promise<void> {
		this.watch = watchKeys(this.bus.kv, keys.actorSessions(this.runId), (entry) => this.apply(entry), this.log);
		await this.watch.opened;
	}

	stop(): void {
		this.watch?.stop();
	}

	private apply(kv: KvEntry): void {
		const key = parseActorKey(kv.key);
		if (!key) return;
		if (kv.operation !== 'PUT') {
			this.actors.get(key.actor)?.sessions.delete(key.sessionId);
			return;
		}
		const record = actorRecord.decode(kv.value);
		if (record) this.upsert(key.actor, key.sessionId, record);
		else this.log.warn({ key: kv.key }, 'ignored an actor record that does not decode');
	}

	/** The actor's one entry for the run, made from its handshake when first met. */
	private ensure(actor: string, hello: Handshake, address: string): BusActor {
		let known = this.actors.get(actor);
		if (known) return known;
		const link = new BusLink(this.bus.nc, this.runId, actor);
		const entry = new ActorEntry(`bus:${actor}`, hello, address, link, this.clock, Infinity, false);
		known = { entry, sessions: new Map() };
		this.actors.set(actor, known);
		const problem = this.onNewActor(entry);
		if (problem) this.log.warn({ actorId: entry.id, problem }, 'an actor on the bus does not fit this run: its batches are refused');
		else this.log.info({ actorId: entry.id, actorName: hello.actorName }, 'actor on the bus');
		return known;
	}

	private upsert(actor: string, sessionId: string, record: ActorRecord): BusActor {
		const known = this.ensure(actor, record.hello, record.figures.address);
		if (!known.sessions.has(sessionId)) known.entry.tracksSent = 0; // a new connection may describe its track again
		known.sessions.set(sessionId, { record, heardAt: this.clock.now() });
		const newest = this.newest(known);
		if (newest) {
			const { figures } = newest;
			Object.assign(known.entry, {
				rttMs: figures.rttMs,
				health: figures.health,
				ackedVersion: Math.max(known.entry.ackedVersion, figures.ackedVersion),
				sentVersion: figures.sentVersion,
				weightsPending: figures.weightsPending,
				state: figures.state,
				lastSeenAt: figures.lastSeenAt,
				bytesIn: figures.bytesIn,
				bytesOut: figures.bytesOut
			});
		}
		return known;
	}

	private newest(actor: BusActor): ActorRecord | undefined {
		let best: ActorRecord | undefined;
		for (const { record } of actor.sessions.values()) if (!best || record.figures.connectedAt > best.figures.connectedAt) best = record;
		return best;
	}

	/** The entry for an actor token; its handshake is read from the bucket when this process has not met it yet. */
	async entryFor(actor: string): Promise<ActorEntry | undefined> {
		const known = this.actors.get(actor);
		if (known) return known.entry;
		const kv = await this.bus.kv.get(keys.hello(this.runId, actor));
		const hello = kv?.operation === 'PUT' ? helloRecord.decode(kv.value) : undefined;
		return hello && this.ensure(actor, hello, '').entry;
	}

	/** The entry of an actor token, only if known already (the live view does not wait). */
	known(actor: string): ActorEntry | undefined {
		return this.actors.get(actor)?.entry;
	}

	private live(): BusActor[] {
		return [...this.actors.values()].filter((a) => a.sessions.size > 0);
	}

	/** Actors with a live session. */
	connected(): ActorEntry[] {
		return this.live().map((a) => a.entry);
	}

	/** Gateways with a live session of this run. */
	gateways(): string[] {
		const names = new Set<string>();
		for (const actor of this.actors.values()) for (const { record } of actor.sessions.values()) names.add(record.gateway);
		return [...names].sort();
	}

	byActorId(actorId: string): ActorEntry | undefined {
		return this.connected().find((e) => e.id === actorId);
	}

	infos(policyVersion: number, transitions: (actorId: string) => TransitionCounts): ActorInfo[] {
		return this.live().map((a) => {
			const info = a.entry.info(policyVersion, transitions(a.entry.id));
			const newest = this.newest(a)!;
			return {
				...info,
				sessionId: newest.figures.sessionId,
				connectedAt: newest.figures.connectedAt,
				address: `${newest.figures.address} via ${newest.gateway}`
			};
		});
	}

	/** Sessions whose gateway stopped rewriting them are gone. */
	tick(): void {
		const now = this.clock.now();
		for (const actor of this.actors.values()) {
			for (const [id, session] of actor.sessions) if (now - session.heardAt > STALE_MS) actor.sessions.delete(id);
		}
	}
}
