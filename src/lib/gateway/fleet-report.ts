/**
 * Each actor's HANDSHAKE in the bus's KV bucket (`<run>.hello.<actor>`, kept for the run),
 * written before its first batch can reach the stream: the learner reads it to know the actor,
 * even long after the actor left. And each connected session's record
 * (`<run>.actor.<actor>.<session>`): the handshake and its figures (RTT, health, weights acked), rewritten every REPORT_MS. The key
 * is deleted when the session ends; a gateway that dies leaves records the learner stops showing
 * once they are not rewritten.
 */
import type { Bus } from '../bus/connection.ts';
import { actorToken, keys } from '../bus/names.ts';
import { actorRecord, helloRecord, type GatewayFigures } from '../bus/records.ts';
import type { Log } from '../server/log.ts';
import type { ActorEntry } from '../server/runtime/actors.ts';

export const REPORT_MS = 2000;

export class FleetReport {
	private lastAt = 0;

	constructor(
		private readonly bus: Bus,
		private readonly runId: string,
		private readonly gateway: string,
		private readonly log: Log
	) {}

	private key(entry: ActorEntry): string {
		return keys.actorSession(this.runId, actorToken(entry.id), entry.sessionId);
	}

	/** On admission: the handshake, kept for the run (the learner may meet the actor's batches after it left), and the session. */
	async admitted(entry: ActorEntry): Promise<void> {
		await this.bus.kv.put(keys.hello(this.runId, actorToken(entry.id)), helloRecord.encode(entry.hello));
		await this.put(entry);
	}

	async put(entry: ActorEntry): Promise<void> {
		await this.bus.kv.put(this.key(entry), actorRecord.encode({ hello: entry.hello, gateway: this.gateway, figures: figuresOf(entry) }));
	}

	async remove(entry: ActorEntry): Promise<void> {
		await this.bus.kv.delete(this.key(entry)).catch((error: unknown) => this.log.debug({ err: (error as Error).message }, 'could not delete an actor record'));
	}

	tick(entries: Iterable<ActorEntry>, now = Date.now()): void {
		if (now - this.lastAt < REPORT_MS) return;
		this.lastAt = now;
		for (const entry of entries) {
			this.put(entry).catch((error: unknown) => this.log.debug({ err: (error as Error).message, actorId: entry.id }, 'could not report an actor'));
		}
	}
}

function figuresOf(e: ActorEntry): GatewayFigures {
	return {
		sessionId: e.sessionId,
		address: e.address,
		state: e.state,
		ackedVersion: e.ackedVersion,
		sentVersion: e.sentVersion,
		weightsPending: e.weightsPending,
		rttMs: e.rttMs,
		health: e.health,
		lastSeenAt: e.lastSeenAt,
		connectedAt: e.connectedAt,
		bytesIn: e.bytesIn,
		bytesOut: e.bytesOut
	};
}
