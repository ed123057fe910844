/**
 * Preallocated Float32Array columns of trajectory segments from any number of actors, and GAE(λ)
 * over them. Observations are stored raw; the trainer normalises them at update time.
 *
 * A segment is a run of consecutive steps of one episode. It ends in one of three ways:
 * `terminated` (no bootstrap), `truncated` (time limit: bootstrap with γ·V(finalObs), SB3 #633), or
 * cut by the rollout boundary (bootstrap the same way). When a later segment continues the same
 * episode of the same stream, GAE flows across the two.
 */
export interface SegmentInput {
	/** Which actor or env the steps come from (reward scaling and continuation are per stream). */
	stream: string;
	episodeId: number;
	stepIndex: number;
	obs: Float32Array;
	action: Float32Array;
	reward: Float32Array;
	logProb: Float32Array;
	value: Float32Array;
	policyVersion: Uint32Array | number;
	finalObs: Float32Array;
	terminated: boolean;
	truncated: boolean;
}

export interface StoredSegment {
	stream: string;
	episodeId: number;
	stepIndex: number;
	start: number;
	length: number;
	finalObs: Float32Array;
	terminated: boolean;
	truncated: boolean;
	/** Index of the segment that continues this episode in this buffer, or -1. */
	next: number;
}

export class RolloutBuffer {
	readonly obs: Float32Array;
	readonly action: Float32Array;
	readonly reward: Float32Array;
	readonly logProb: Float32Array;
	readonly value: Float32Array;
	readonly policyVersion: Uint32Array;
	readonly segments: StoredSegment[] = [];
	size = 0;
	private readonly openByStream = new Map<string, number>();

	constructor(
		readonly obsDim: number,
		readonly actionDim: number,
		readonly capacity: number
	) {
		this.obs = new Float32Array(capacity * obsDim);
		this.action = new Float32Array(capacity * actionDim);
		this.reward = new Float32Array(capacity);
		this.logProb = new Float32Array(capacity);
		this.value = new Float32Array(capacity);
		this.policyVersion = new Uint32Array(capacity);
	}

	get free(): number {
		return this.capacity - this.size;
	}

	/** Copies steps [from, to) of a segment in; returns how many were stored (up to `free`). */
	add(input: SegmentInput, from = 0, to = input.reward.length): number {
		const length = Math.min(to - from, this.free);
		if (length <= 0) return 0;
		const start = this.size;
		const { obsDim: d, actionDim: a } = this;
		this.obs.set(input.obs.subarray(from * d, (from + length) * d), start * d);
		this.action.set(input.action.subarray(from * a, (from + length) * a), start * a);
		this.reward.set(input.reward.subarray(from, from + length), start);
		this.logProb.set(input.logProb.subarray(from, from + length), start);
		this.value.set(input.value.subarray(from, from + length), start);
		if (typeof input.policyVersion === 'number') this.policyVersion.fill(input.policyVersion, start, start + length);
		else this.policyVersion.set(input.policyVersion.subarray(from, from + length), start);
		const complete = from + length === input.reward.length;
		const finalObs = complete ? input.finalObs : input.obs.slice((from + length) * d, (from + length + 1) * d);
		const segment: StoredSegment = {
			stream: input.stream,
			episodeId: input.episodeId,
			stepIndex: input.stepIndex + from,
			start,
			length,
			finalObs,
			terminated: complete && input.terminated,
			truncated: complete && input.truncated,
			next: -1
		};
		const index = this.segments.length;
		const open = this.openByStream.get(input.stream);
		if (open !== undefined) {
			const previous = this.segments[open];
			if (previous.episodeId === segment.episodeId && previous.stepIndex + previous.length === segment.stepIndex) previous.next = index;
		}
		if (segment.terminated || segment.truncated) this.openByStream.delete(input.stream);
		else this.openByStream.set(input.stream, index);
		this.segments.push(segment);
		this.size += length;
		return length;
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
