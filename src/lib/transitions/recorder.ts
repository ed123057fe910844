/**
 * Records one stream's steps (an actor's car, an env of the local runner) into preallocated
 * columns and cuts them into segments: at an episode's end, at a batch bound, or whenever the
 * caller flushes. Keeps the episode id and step index the segments carry.
 */
import type { Segment, StepBlock } from './segments.ts';
import { allocSteps, sliceSteps, writeStep, type StepColumns, type StepDims, type StepRecord } from './steps.ts';

export class SegmentRecorder {
	/** Steps recorded since the last flush. */
	n = 0;
	episodeId = 0;
	/** Steps recorded in the current episode. */
	stepIndex = 0;
	private readonly steps: StepColumns;

	constructor(
		readonly dims: StepDims,
		readonly capacity: number
	) {
		this.steps = allocSteps(capacity, dims);
	}

	get full(): boolean {
		return this.n >= this.capacity;
	}

	push(step: StepRecord): void {
		if (this.full) throw new Error(`segment recorder holds ${this.capacity} steps: flush first`);
		writeStep(this.steps, this.n++, step, this.dims);
		this.stepIndex++;
	}

	/** The recorded steps as a one-segment block (copied), or undefined when there are none. */
	flush(finalObs: Float32Array, terminated: boolean, truncated: boolean): StepBlock | undefined {
		const n = this.n;
		if (n === 0) return undefined;
		const segment: Segment = { episodeId: this.episodeId, stepIndex: this.stepIndex - n, length: n, finalObs: finalObs.slice(), terminated, truncated };
		this.n = 0;
		return { n, ...this.dims, segments: [segment], ...sliceSteps(this.steps, 0, n, this.dims) };
	}

	/** The next episode starts (call after flushing the last one's steps). */
	nextEpisode(): void {
		this.episodeId++;
		this.stepIndex = 0;
	}
}
