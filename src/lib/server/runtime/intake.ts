/**
 * Transition intake: each actor's batches stored exactly once, into the rollout store, with every
 * step in the ledger. Per actor id it keeps the highest stored seq (a resend, seq ≤ it, is acked
 * and ignored; a seq that skips ahead counts the skipped batches) and the highest durable seq —
 * stored as of the last saved checkpoint, whose meta holds the seqs, the books and the held steps.
 * Actors keep what is not durable and resend it after a learner crash (docs/protocol.md, BATCH_ACK).
 * A step claiming a policy version the learner has not handed out yet is refused (a resumed run
 * numbers its policies after every version the crashed process handed out, so no honest actor does).
 */
import { ErrorCode, ProtocolError, type TransitionBatch } from '../../protocol/index.ts';
import type { ActorEntry } from './actors.ts';
import { batchMismatch } from './specs.ts';
import type { TransitionLedger } from './ledger.ts';
import type { TrainingLoop } from './training.ts';

export class TransitionIntake {
	private readonly lastSeq = new Map<string, number>();
	/** Each actor's highest seq in the last saved checkpoint. */
	private durable: Record<string, number> = {};
	private accepting = true;
	/** Steps accepted from actors since this process started (stored, before any stale drop). */
	ingested = 0;
	/** Steps accepted over the whole run, across restarts (checkpointed): the run's env-step clock. */
	envSteps = 0;

	constructor(
		private readonly training: TrainingLoop,
		private readonly ledger: TransitionLedger
	) {}

	lastSeqOf(actorId: string): number {
		return this.lastSeq.get(actorId) ?? -1;
	}

	durableSeqOf(actorId: string): number {
		return this.durable[actorId] ?? -1;
	}

	/** Every actor's highest stored seq (for the checkpoint). */
	seqs(): Record<string, number> {
		return Object.fromEntries(this.lastSeq);
	}

	/** A checkpoint holding `seqs` was saved. */
	markDurable(seqs: Record<string, number>): void {
		this.durable = seqs;
	}

	restore(seqs: Record<string, number>, envSteps: number): void {
		for (const [actor, seq] of Object.entries(seqs)) this.lastSeq.set(actor, seq);
		this.durable = { ...seqs };
		this.envSteps = envSteps;
	}

	/** Batches are stored (not shutting down, a trainer has a store). */
	get taking(): boolean {
		return this.accepting && this.training.store !== undefined;
	}

	/** Nothing more is taken (or acked): the checkpoint's seqs stay the truth, actors resend the rest to the next learner. */
	close(): void {
		this.accepting = false;
	}

	/** Stores a batch unless its seq was already stored; returns the highest stored seq (to ack). */
	ingest(entry: ActorEntry, batch: TransitionBatch): number {
		const last = this.lastSeqOf(entry.id);
		const store = this.training.store;
		// Not taken, not acked: the actor keeps the batch and resends it on its next connection.
		if (!this.accepting || !store) return last;
		const mismatch = batchMismatch(entry.hello, batch);
		if (mismatch) {
			this.ledger.add(entry.id, 'refused', batch.n);
			throw new ProtocolError(ErrorCode.SPEC_MISMATCH, mismatch);
		}
		const version = this.training.policyVersion;
		for (let i = 0; i < batch.n; i++) {
			if (batch.policyVersion[i] > version) {
				this.ledger.add(entry.id, 'refused', batch.n);
				throw new ProtocolError(ErrorCode.INVALID_FIELD, `policyVersion[${i}] = ${batch.policyVersion[i]} is ahead of the learner's ${version}`);
			}
		}
		if (batch.seq <= last) {
			this.ledger.add(entry.id, 'resentBatches', 1);
			return last;
		}
		this.ledger.add(entry.id, 'skippedBatches', batch.seq - last - 1);
		this.lastSeq.set(entry.id, batch.seq);
		this.ledger.add(entry.id, 'received', batch.n);
		entry.countSamples(batch.n);
		this.ingested += batch.n;
		this.envSteps += batch.n;
		store.ingest(entry.id, batch, this.training.policyVersion);
		this.training.maybeUpdate();
		return batch.seq;
	}
}
