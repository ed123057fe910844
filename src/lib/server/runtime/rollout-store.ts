/**
 * Where actors' transitions wait for the next PPO update. Every step keeps the policy version that
 * chose it; steps more than `maxPolicyLag` versions behind the current policy are dropped (at
 * ingest and again when the rollout is taken, since versions move on while samples wait) and
 * counted per actor. Bounded: beyond `capacity` steps the oldest batches go, counted too.
 */
import { allocSteps, copySteps, cutSegment, freshRuns, oldestFreshVersion, segmentStarts, type Rollout, type StepBlock } from '../../transitions/index.ts';

interface Held {
	actorId: string;
	batch: StepBlock;
}

export interface DropCounts {
	stale: number;
	overflow: number;
}

export class RolloutStore {
	private held: Held[] = [];
	/** Steps held per policy version. */
	private readonly byVersion = new Map<number, number>();
	private steps = 0;
	readonly drops = new Map<string, DropCounts>();

	constructor(
		readonly obsDim: number,
		readonly actionDim: number,
		readonly capacity: number,
		public maxPolicyLag: number
	) {}

	private dropCounts(actorId: string): DropCounts {
		let counts = this.drops.get(actorId);
		if (!counts) this.drops.set(actorId, (counts = { stale: 0, overflow: 0 }));
		return counts;
	}

	/** Oldest policy version still accepted when the current one is `version`. */
	minVersion(version: number): number {
		return oldestFreshVersion(version, this.maxPolicyLag);
	}

	/** Steps that would go into an update run now. */
	fresh(version: number): number {
		let n = 0;
		const min = this.minVersion(version);
		for (const [v, count] of this.byVersion) if (v >= min) n += count;
		return n;
	}

	get heldSteps(): number {
		return this.steps;
	}

	/** Holds a batch; returns how many of its steps were too stale to keep. */
	ingest(actorId: string, batch: StepBlock, version: number): number {
		const stale = freshRuns(batch.policyVersion, 0, batch.n, this.minVersion(version));
		if (stale > 0) this.dropCounts(actorId).stale += stale;
		if (stale === batch.n) return stale;
		this.held.push({ actorId, batch });
		this.count(batch, 1);
		while (this.steps > this.capacity && this.held.length > 1) {
			const oldest = this.held.shift()!;
			this.count(oldest.batch, -1);
			this.dropCounts(oldest.actorId).overflow += oldest.batch.n;
		}
		return stale;
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
		const min = this.minVersion(version);
		const n = this.fresh(version);
		const dims = { obsDim: this.obsDim, actionDim: this.actionDim };
		const out: Rollout = { n, ...dims, ...allocSteps(n, dims), segments: [] };
		let at = 0;
		for (const { actorId, batch } of this.held) {
			for (const [segment, start] of segmentStarts(batch)) {
				const stale = freshRuns(batch.policyVersion, start, start + segment.length, min, (from, to) => {
					copySteps(batch, from, to, out, at, dims);
					out.segments.push({ ...cutSegment(segment, from - start, to - start, batch, start, dims), stream: actorId, start: at });
					at += to - from;
				});
				if (stale > 0) this.dropCounts(actorId).stale += stale;
			}
		}
		this.held = [];
		this.byVersion.clear();
		this.steps = 0;
		return out;
	}
}
