/**
 * Where actors' transitions wait for the next PPO update. Every step keeps the policy version that
 * chose it; steps more than `maxPolicyLag` versions behind the current policy are dropped (at
 * ingest and again when the rollout is taken, since versions move on while samples wait) and
 * counted per actor. Bounded: beyond `capacity` steps the oldest batches go, counted too.
 */
import type { TransitionBatch } from '../../protocol/index.ts';
import type { RolloutColumns, SegmentHeader } from '../trainer/messages.ts';

interface Held {
	actorId: string;
	batch: TransitionBatch;
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
		return version - this.maxPolicyLag;
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
	ingest(actorId: string, batch: TransitionBatch, version: number): number {
		const min = this.minVersion(version);
		let stale = 0;
		for (let i = 0; i < batch.n; i++) if (batch.policyVersion[i] < min) stale++;
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

	private count(batch: TransitionBatch, sign: 1 | -1): void {
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
	 * Everything fresh as columns for the trainer, and empties the store. A run of kept steps that
	 * stops before a dropped step ends as a cut segment bootstrapped from the dropped step's obs.
	 */
	take(version: number): RolloutColumns {
		const min = this.minVersion(version);
		const n = this.fresh(version);
		const d = this.obsDim;
		const a = this.actionDim;
		const out: RolloutColumns = {
			n,
			obs: new Float32Array(n * d),
			action: new Float32Array(n * a),
			reward: new Float32Array(n),
			logProb: new Float32Array(n),
			value: new Float32Array(n),
			policyVersion: new Uint32Array(n),
			segments: []
		};
		let at = 0;
		for (const { actorId, batch } of this.held) {
			let segStart = 0;
			for (const segment of batch.segments) {
				const end = segStart + segment.length;
				let runStart = -1;
				const close = (runEnd: number) => {
					// steps [runStart, runEnd) of the batch, kept
					const length = runEnd - runStart;
					const complete = runEnd === end;
					const header: SegmentHeader = {
						stream: actorId,
						episodeId: segment.episodeId,
						stepIndex: segment.stepIndex + (runStart - segStart),
						start: at,
						length,
						finalObs: complete ? segment.finalObs : batch.obs.slice(runEnd * d, (runEnd + 1) * d),
						terminated: complete && segment.terminated,
						truncated: complete && segment.truncated
					};
					out.obs.set(batch.obs.subarray(runStart * d, runEnd * d), at * d);
					out.action.set(batch.action.subarray(runStart * a, runEnd * a), at * a);
					out.reward.set(batch.reward.subarray(runStart, runEnd), at);
					out.logProb.set(batch.logProb.subarray(runStart, runEnd), at);
					out.value.set(batch.value.subarray(runStart, runEnd), at);
					out.policyVersion.set(batch.policyVersion.subarray(runStart, runEnd), at);
					out.segments.push(header);
					at += length;
					runStart = -1;
				};
				for (let i = segStart; i < end; i++) {
					const keep = batch.policyVersion[i] >= min;
					if (keep && runStart < 0) runStart = i;
					if (!keep) {
						if (runStart >= 0) close(i);
						this.dropCounts(actorId).stale++;
					}
				}
				if (runStart >= 0) close(end);
				segStart = end;
			}
		}
		this.held = [];
		this.byVersion.clear();
		this.steps = 0;
		return out;
	}
}
