/**
 * Transition intake: exactly-once storage of actors' batches. Each actor's highest stored seq is
 * kept (and checkpointed); a resend (seq ≤ it) is acked and ignored, a seq that skips ahead
 * counts the skipped batches as lost (the actor dropped them beyond its buffer bound).
 */
import { ErrorCode, ProtocolError, type TransitionBatch } from '../../protocol/index.ts';
import type { ActorEntry } from './actors.ts';
import type { TrainingLoop } from './training.ts';

export class TransitionIntake {
	private readonly lastSeq = new Map<string, number>();
	private accepting = true;
	/** Steps accepted from actors since this process started (stored, before any stale drop). */
	ingested = 0;
	/** Steps accepted over the whole run, across restarts (checkpointed): the run's env-step clock. */
	envSteps = 0;

	constructor(private readonly training: TrainingLoop) {}

	lastSeqOf(actorId: string): number {
		return this.lastSeq.get(actorId) ?? -1;
	}

	/** Every actor's highest stored seq (for the checkpoint). */
	seqs(): Record<string, number> {
		return Object.fromEntries(this.lastSeq);
	}

	restore(seqs: Record<string, number>, envSteps: number): void {
		for (const [actor, seq] of Object.entries(seqs)) this.lastSeq.set(actor, seq);
		this.envSteps = envSteps;
	}

	/** Nothing more is taken (or acked): the checkpoint's seqs stay the truth, actors resend the rest to the next learner. */
	close(): void {
		this.accepting = false;
	}

	/** Stores a batch unless its seq was already stored; returns the highest stored seq (to ack). */
	ingest(entry: ActorEntry, batch: TransitionBatch): number {
		const last = this.lastSeqOf(entry.id);
		if (!this.accepting) return last;
		if (batch.obsDim !== entry.hello.obsSpec.dim || batch.actionDim !== entry.hello.actionSpec.dim) {
			throw new ProtocolError(ErrorCode.SPEC_MISMATCH, `batch dims ${batch.obsDim}/${batch.actionDim} differ from the handshake's`);
		}
		if (batch.seq <= last) return last;
		if (batch.seq > last + 1) entry.lostBatches += batch.seq - last - 1;
		this.lastSeq.set(entry.id, batch.seq);
		entry.countSamples(batch.n);
		this.ingested += batch.n;
		this.envSteps += batch.n;
		const store = this.training.store;
		if (store) {
			entry.droppedStale += store.ingest(entry.id, batch, this.training.policyVersion);
			this.training.maybeUpdate();
		}
		return batch.seq;
	}
}
