/**
 * Where actors' transitions wait for the next PPO update. Every step keeps the policy version that
 * chose it; steps more than `maxPolicyLag` versions behind the current policy (which includes the
 * policies a crashed learner made: a resumed run skips their numbers) are dropped (at ingest and again when the
 * rollout is taken, since versions move on while samples wait) and counted per actor in the
 * ledger. Bounded: beyond `capacity` steps the oldest batches go, counted too. What is taken for an
 * update is counted as trained; what is held is saved with each checkpoint (checkpoint-extras.ts).
 */
import {
	allocSteps,
	copySteps,
	cutSegment,
	freshRuns,
	freshWindow,
	segmentStarts,
	type FreshWindow,
	type Rollout,
	type StepBlock
} from '../../transitions/index.ts';
import type { HeldBatch } from './checkpoint-extras.ts';
import type { TransitionLedger } from './ledger.ts';

export class RolloutStore {
	private held: HeldBatch[] = [];
	/** Steps held per policy version. */
	private readonly byVersion = new Map<number, number>();
	private steps = 0;

	constructor(
		readonly obsDim: number,
		readonly actionDim: number,
		public capacity: number,
		public maxPolicyLag: number,
		private readonly ledger: TransitionLedger
	) {}

	/** The policy versions still trained on when the current one is `version`. */
	window(version: number): FreshWindow {
		return freshWindow(version, this.maxPolicyLag);
	}

	/** Steps that would go into an update run now. */
	fresh(version: number): number {
		let n = 0;
		const { min, max } = this.window(version);
		for (const [v, count] of this.byVersion) if (v >= min && v <= max) n += count;
		return n;
	}

	get heldSteps(): number {
		return this.steps;
	}

	/**
	 * Holds a batch; returns how many of its steps were dropped as stale now (all or none: a batch
	 * with some fresh steps is held whole, and its stale steps are counted when it is taken).
	 */
	ingest(actorId: string, batch: StepBlock, version: number): number {
		if (freshRuns(batch.policyVersion, 0, batch.n, this.window(version)) === batch.n) {
			this.ledger.add(actorId, 'stale', batch.n);
			return batch.n;
		}
		this.held.push({ actorId, batch });
		this.count(batch, 1);
		while (this.steps > this.capacity && this.held.length > 1) {
			const oldest = this.held.shift()!;
			this.count(oldest.batch, -1);
			this.ledger.add(oldest.actorId, 'overflow', oldest.batch.n);
		}
		return 0;
	}

	/** The held batches, for a checkpoint (their steps are already counted as received). */
	heldBatches(): readonly HeldBatch[] {
		return this.held;
	}

	/** Holds a checkpoint's batches again, as they were (the ledger is restored with them). */
	restoreHeld(held: readonly HeldBatch[]): void {
		for (const h of held) {
			this.held.push(h);
			this.count(h.batch, 1);
		}
	}

	private count(batch: StepBlock, sign: 1 | -1): void {
		for (let i = 0; i < batch.n; i++) {
			const v = batch.policyVersion[i];
			this.byVersion.set(v, (this.byVersion.get(v) ?? 0) + sign);
		}
		this.steps += sign * batch.n;
		for (const [v, count] of this.byVersion) if (count === 0) this.byVersion.delete(v);
	}

	/** Lag histogram of held steps: lag (current − version) → steps. */
	lagHistogram(version: number): Record<number, number> {
		const out: Record<number, number> = {};
		for (const [v, count] of this.byVersion) out[version - v] = (out[version - v] ?? 0) + count;
		return out;
	}

	/**
	 * Everything fresh as one block for the trainer (one copy, straight from the held batches), and
	 * empties the store. Stale steps are dropped and counted; a run of kept steps that stops before a
	 * dropped one ends as a cut segment bootstrapped from the dropped step's obs.
	 */
	take(version: number): Rollout {
		const window = this.window(version);
		const ledger = this.ledger;
		const n = this.fresh(version);
		const dims = { obsDim: this.obsDim, actionDim: this.actionDim };
		const out: Rollout = { n, ...dims, ...allocSteps(n, dims), segments: [] };
		let at = 0;
		for (const { actorId, batch } of this.held) {
			for (const [segment, start] of segmentStarts(batch)) {
				const stale = freshRuns(batch.policyVersion, start, start + segment.length, window, (from, to) => {
					copySteps(batch, from, to, out, at, dims);
					out.segments.push({ ...cutSegment(segment, from - start, to - start, batch, start, dims), stream: actorId, start: at });
					ledger.add(actorId, 'trained', to - from);
					at += to - from;
				});
				ledger.add(actorId, 'stale', stale);
			}
		}
		this.held = [];
		this.byVersion.clear();
		this.steps = 0;
		return out;
	}
}
