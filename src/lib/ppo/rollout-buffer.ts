/**
 * PPO's rollout: a block of steps from any number of actors (the transition model's columns) with
 * each segment linked to the one that continues its episode, and GAE(λ) over them. Observations are
 * stored raw; the trainer normalises them at update time.
 *
 * A segment ends in one of three ways: `terminated` (no bootstrap), `truncated` (time limit:
 * bootstrap with γ·V(finalObs), SB3 #633), or cut by the rollout boundary (bootstrap the same
 * way). When a later segment continues the same episode of the same stream, GAE flows across the
 * two. The learner's store builds the block and the buffer wraps it without a copy; the local
 * runner fills a preallocated one with add().
 */
import { allocSteps, copySteps, cutSegment, type Rollout, type Segment, type StepColumns, type StepDims, type StreamSegment } from '../transitions/index.ts';

export interface LinkedSegment extends StreamSegment {
	/** Index of the segment that continues this episode in this buffer, or -1. */
	next: number;
}

export class RolloutBuffer implements StepDims {
	readonly steps: StepColumns;
	readonly segments: LinkedSegment[] = [];
	size = 0;
	private readonly openByStream = new Map<string, number>();

	constructor(
		readonly obsDim: number,
		readonly actionDim: number,
		readonly capacity: number,
		steps?: StepColumns
	) {
		this.steps = steps ?? allocSteps(capacity, this);
	}

	/** The store's rollout as a buffer: its columns as they are, its segments linked. */
	static of(rollout: Rollout): RolloutBuffer {
		const buffer = new RolloutBuffer(rollout.obsDim, rollout.actionDim, rollout.n, rollout);
		for (const segment of rollout.segments) buffer.link(segment);
		buffer.size = rollout.n;
		return buffer;
	}

	get free(): number {
		return this.capacity - this.size;
	}

	/**
	 * Copies steps [from, to) of a segment in (its steps are rows `start`… of `steps`); returns how
	 * many were stored (up to `free`: the rest is cut off, bootstrapped from the first step left out).
	 */
	add(stream: string, segment: Segment, steps: StepColumns, start = 0, from = 0, to = segment.length): number {
		const length = Math.min(to - from, this.free);
		if (length <= 0) return 0;
		copySteps(steps, start + from, start + from + length, this.steps, this.size, this);
		this.link({ ...cutSegment(segment, from, from + length, steps, start, this), stream, start: this.size });
		this.size += length;
		return length;
	}

	/** Appends a segment header whose steps are in place, linking it to the one it continues. */
	private link(segment: StreamSegment): void {
		const index = this.segments.length;
		const open = this.openByStream.get(segment.stream);
		if (open !== undefined) {
			const previous = this.segments[open];
			if (previous.episodeId === segment.episodeId && previous.stepIndex + previous.length === segment.stepIndex) previous.next = index;
		}
		if (segment.terminated || segment.truncated) this.openByStream.delete(segment.stream);
		else this.openByStream.set(segment.stream, index);
		this.segments.push({ ...segment, next: -1 });
	}

	clear(): void {
		this.size = 0;
		this.segments.length = 0;
		this.openByStream.clear();
	}
}

export interface GaeSegment {
	start: number;
	length: number;
	terminated: boolean;
	/** V(finalObs); ignored when terminated. */
	bootstrapValue: number;
	/** Index of the continuing segment, or -1. */
	next: number;
}

/**
 * Generalised advantage estimation (Schulman et al. 2016) per segment, last step first:
 * δ_t = r_t + γ·V(s_{t+1})·(1 − terminated_t) − V(s_t);  A_t = δ_t + γλ·A_{t+1} inside an episode.
 * A truncated or cut segment bootstraps with V(finalObs); a continued one carries on into its
 * continuation. Returns advantages and returns (A + V).
 */
export function computeGae(
	reward: Float32Array,
	value: Float32Array,
	segments: readonly GaeSegment[],
	gamma: number,
	gaeLambda: number
): { advantages: Float32Array; returns: Float32Array } {
	const n = reward.length;
	const advantages = new Float32Array(n);
	const returns = new Float32Array(n);
	// A continuation is always added after what it continues: walk backwards.
	for (let s = segments.length - 1; s >= 0; s--) {
		const seg = segments[s];
		const cont = seg.next >= 0 ? segments[seg.next] : undefined;
		let nextValue = seg.terminated ? 0 : cont ? value[cont.start] : seg.bootstrapValue;
		let lastGae = cont && !seg.terminated ? advantages[cont.start] : 0;
		for (let t = seg.start + seg.length - 1; t >= seg.start; t--) {
			const delta = reward[t] + gamma * nextValue - value[t];
			lastGae = delta + gamma * gaeLambda * lastGae;
			advantages[t] = lastGae;
			returns[t] = lastGae + value[t];
			nextValue = value[t];
		}
	}
	return { advantages, returns };
}
