/**
 * Segments: runs of consecutive steps of one episode inside a block of steps. This module is the
 * one place that cuts them (at a capacity bound, around stale steps) and the one stale filter.
 *
 * Step i's next observation is obs[i+1] inside a segment and the segment's finalObs at its end.
 * Only a segment's last step can end an episode, so `terminated` and `truncated` live on the
 * segment. A segment cut before its end keeps neither flag and bootstraps from the obs of the
 * first step it left out.
 */
import { obsRow, type StepColumns, type StepDims } from './steps.ts';

/** A segment as an actor records and sends it. */
export interface Segment {
	/** Actor-local episode counter. */
	episodeId: number;
	/** Index within the episode of the segment's first step. */
	stepIndex: number;
	length: number;
	/** Observation after the segment's last step (for bootstrapping), obsDim floats. */
	finalObs: Float32Array;
	/** The segment's last step ended the episode in a terminal state (no bootstrap). */
	terminated: boolean;
	/** The segment's last step hit a time limit (bootstrap from finalObs). */
	truncated: boolean;
}

/** A segment placed in a learner-side block: whose stream it is and where its steps start. */
export interface StreamSegment extends Segment {
	/** Which actor or env the steps come from (reward scaling and continuation are per stream). */
	stream: string;
	/** Index in the block of the segment's first step. */
	start: number;
}

/** n steps in columns, cut into segments (in step order, lengths adding up to n). */
export interface StepBlock<S extends Segment = Segment> extends StepColumns, StepDims {
	n: number;
	segments: S[];
}

/** Steps from several actors ready for a trainer: what the learner's store hands an algorithm. */
export type Rollout = StepBlock<StreamSegment>;

/**
 * The header of steps [from, to) of `segment` (relative to its first step, which is row `start` of
 * `steps`). Only a cut that reaches the segment's end keeps its finalObs and end flags; an earlier
 * cut bootstraps from the obs of the first step it leaves out (copied).
 */
export function cutSegment(segment: Segment, from: number, to: number, steps: Pick<StepColumns, 'obs'>, start: number, dims: StepDims): Segment {
	const complete = to === segment.length;
	return {
		episodeId: segment.episodeId,
		stepIndex: segment.stepIndex + from,
		length: to - from,
		finalObs: complete ? segment.finalObs : obsRow(steps, start + to, dims).slice(),
		terminated: complete && segment.terminated,
		truncated: complete && segment.truncated
	};
}

/** The policy versions still trained on: [min, max], both inclusive. */
export interface FreshWindow {
	min: number;
	max: number;
}

/**
 * The versions trained on when the current one is `current`: at most `maxPolicyLag` behind, and
 * never ahead (a later version is a policy this learner does not have, e.g. lost in a crash).
 */
export function freshWindow(current: number, maxPolicyLag: number): FreshWindow {
	return { min: current - maxPolicyLag, max: current };
}

/**
 * The stale filter: calls `keep(from, to)` for each maximal run of steps in [from, to) whose
 * policy version lies in `window`; returns how many steps were stale.
 */
export function freshRuns(policyVersion: Uint32Array, from: number, to: number, window: FreshWindow, keep?: (from: number, to: number) => void): number {
	const { min, max } = window;
	let stale = 0;
	let runStart = -1;
	for (let i = from; i < to; i++) {
		const v = policyVersion[i];
		if (v >= min && v <= max) {
			if (runStart < 0) runStart = i;
			continue;
		}
		stale++;
		if (runStart >= 0) keep?.(runStart, i);
		runStart = -1;
	}
	if (runStart >= 0) keep?.(runStart, to);
	return stale;
}

/** Each segment of a block with the index of its first step. */
export function* segmentStarts<S extends Segment>(block: StepBlock<S>): Generator<[S, number]> {
	let start = 0;
	for (const segment of block.segments) {
		yield [segment, start];
		start += segment.length;
	}
}

/** The per-step `terminated` / `truncated` columns of a block (1 at each segment's last step if set). */
export function stepFlags(block: StepBlock): { terminated: Uint8Array; truncated: Uint8Array } {
	const terminated = new Uint8Array(block.n);
	const truncated = new Uint8Array(block.n);
	for (const [segment, start] of segmentStarts(block)) {
		const last = start + segment.length - 1;
		terminated[last] = segment.terminated ? 1 : 0;
		truncated[last] = segment.truncated ? 1 : 0;
	}
	return { terminated, truncated };
}

/**
 * The observation after each step of a segment (obs[i+1] inside it, finalObs at its end): the
 * `next obs` an off-policy replay buffer stores. `i` is relative to the segment's first step, whose
 * obs row in `steps` is `start`.
 */
export function nextObs(segment: Segment, steps: Pick<StepColumns, 'obs'>, start: number, i: number, dims: StepDims): Float32Array {
	return i + 1 < segment.length ? obsRow(steps, start + i + 1, dims) : segment.finalObs;
}
