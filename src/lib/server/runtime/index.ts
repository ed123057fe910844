/**
 * The one owner of mutable process state (architecture rule 2). It lives in a globalThis slot so
 * the upgrade router (loaded by server.ts or vite.config.ts) and the +server.ts routes (loaded by
 * SvelteKit's own module graph) see the same object.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, ProtocolError, type ConsoleStatus, type Handshake, type TransitionBatch } from '../../protocol/index.ts';
import { parseServerConfig, type ServerConfig } from '../config.ts';

export interface ActorRecord {
	sessionId: string;
	actorId: string;
	actorName: string;
	address: string;
	mode: Handshake['mode'];
	connectedAt: number;
	lastSeenAt: number;
	steps: number;
	/** Highest TRANSITION_BATCH seq stored for this actor. */
	lastSeq: number;
}

export class Runtime {
	readonly config: ServerConfig;
	readonly runId = new Date().toISOString().replace(/[:.]/g, '-');
	readonly startedAt = Date.now();
	private readonly actors = new Map<string, ActorRecord>();
	/** Survives reconnects, keyed by actorId: what was stored, for exactly-once delivery. */
	private readonly lastSeqByActor = new Map<string, number>();
	private samples = 0;

	constructor(config: ServerConfig) {
		this.config = config;
	}

	get actorCount(): number {
		return this.actors.size;
	}

	/** Registers an accepted handshake; returns the record the session keeps updating. */
	addActor(hello: Handshake, address: string): ActorRecord {
		const record: ActorRecord = {
			sessionId: randomUUID(),
			actorId: hello.actorId,
			actorName: hello.actorName,
			address,
			mode: hello.mode,
			connectedAt: Date.now(),
			lastSeenAt: Date.now(),
			steps: 0,
			lastSeq: this.lastSeqByActor.get(hello.actorId) ?? -1
		};
		this.actors.set(record.sessionId, record);
		return record;
	}

	removeActor(sessionId: string): void {
		this.actors.delete(sessionId);
	}

	/**
	 * Stores a batch unless its seq was already stored (a resend after reconnect); returns the
	 * highest stored seq. A gap in seq means the actor lost data it claims to have sent: refused.
	 */
	ingest(record: ActorRecord, batch: TransitionBatch): number {
		if (batch.seq > record.lastSeq + 1) {
			throw new ProtocolError(ErrorCode.INVALID_FIELD, `batch seq ${batch.seq} skips ahead of ${record.lastSeq + 1}`);
		}
		if (batch.seq === record.lastSeq + 1) {
			record.lastSeq = batch.seq;
			record.steps += batch.n;
			this.samples += batch.n;
			this.lastSeqByActor.set(record.actorId, batch.seq);
		}
		return record.lastSeq;
	}

	status(): ConsoleStatus {
		return {
			runId: this.runId,
			uptimeS: (Date.now() - this.startedAt) / 1000,
			actors: this.actors.size,
			samples: this.samples
		};
	}
}

const SLOT = Symbol.for('pitwall.runtime');
type Slot = { [SLOT]?: Runtime };

/** The process's runtime, created on first call (from argv/env unless a config is given). */
export function getRuntime(config?: ServerConfig): Runtime {
	const slot = globalThis as Slot;
	slot[SLOT] ??= new Runtime(config ?? parseServerConfig(process.argv.slice(2), process.env));
	return slot[SLOT];
}

/** Forgets the runtime (tests that start several servers in one process). */
export function resetRuntime(): void {
	delete (globalThis as Slot)[SLOT];
}
