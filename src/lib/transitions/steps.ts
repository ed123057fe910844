/**
 * The step columns: what every step of experience records, declared once. The agent's recorder,
 * the protocol codec, the learner's store, the trainer-worker messages and the algorithms' buffers
 * all allocate, copy, slice and transfer steps through this module; none spells the columns out.
 *
 * A block of n steps holds each column as one typed array of n × width values, row-major.
 * Pure TypeScript (no node:*, no DOM): shared by server, browser and agent.
 */

/** The sizes a block of steps needs: the observation's and the action's lengths. */
export interface StepDims {
	obsDim: number;
	actionDim: number;
}

/** Each column: its name, element type and width per step (`obs`/`action` follow the dims). */
export const STEP_COLUMNS = [
	/** The observation the action was chosen from. */
	{ name: 'obs', type: 'f32', width: 'obs' },
	/** The action as sampled, before clipping to the action bounds. */
	{ name: 'action', type: 'f32', width: 'action' },
	{ name: 'reward', type: 'f32', width: 1 },
	/** The behaviour policy's log-probability of `action` (importance ratios, PPO's clip). */
	{ name: 'logProb', type: 'f32', width: 1 },
	/** The weights version that chose the action (staleness filter, lag histogram). */
	{ name: 'policyVersion', type: 'u32', width: 1 }
] as const;

export type StepColumn = (typeof STEP_COLUMNS)[number];
export type StepColumnName = StepColumn['name'];
type ArrayOf<T extends StepColumn['type']> = T extends 'f32' ? Float32Array : Uint32Array;

/** A block of steps, column by column. */
export type StepColumns = { [C in StepColumn as C['name']]: ArrayOf<C['type']> };

/** One step, as a recorder pushes it. */
export type StepRecord = { [C in StepColumn as C['name']]: C['width'] extends 1 ? number : Float32Array };

export function widthOf(column: StepColumn, dims: StepDims): number {
	return column.width === 'obs' ? dims.obsDim : column.width === 'action' ? dims.actionDim : column.width;
}

function arrayOf(column: StepColumn, length: number): Float32Array | Uint32Array {
	return column.type === 'f32' ? new Float32Array(length) : new Uint32Array(length);
}

function build(make: (column: StepColumn, width: number) => Float32Array | Uint32Array, dims: StepDims): StepColumns {
	const out: Record<string, Float32Array | Uint32Array> = {};
	for (const column of STEP_COLUMNS) out[column.name] = make(column, widthOf(column, dims));
	return out as StepColumns;
}

/** Zeroed columns for `capacity` steps. */
export function allocSteps(capacity: number, dims: StepDims): StepColumns {
	return build((column, width) => arrayOf(column, capacity * width), dims);
}

/** Steps [from, to) as views into `steps` (no copy). */
export function viewSteps(steps: StepColumns, from: number, to: number, dims: StepDims): StepColumns {
	return build((column, width) => steps[column.name].subarray(from * width, to * width), dims);
}

/** Steps [from, to) copied into new arrays of their own. */
export function sliceSteps(steps: StepColumns, from: number, to: number, dims: StepDims): StepColumns {
	return build((column, width) => steps[column.name].slice(from * width, to * width), dims);
}

/** Copies steps [from, to) of `src` into `dst` starting at step `at`. */
export function copySteps(src: StepColumns, from: number, to: number, dst: StepColumns, at: number, dims: StepDims): void {
	for (const column of STEP_COLUMNS) {
		const width = widthOf(column, dims);
		dst[column.name].set(src[column.name].subarray(from * width, to * width), at * width);
	}
}

/** Writes one step at index `i`. */
export function writeStep(steps: StepColumns, i: number, step: StepRecord, dims: StepDims): void {
	for (const column of STEP_COLUMNS) {
		const value = step[column.name];
		if (typeof value === 'number') steps[column.name][i] = value;
		else steps[column.name].set(value, i * widthOf(column, dims));
	}
}

/** Observation row `i` of a block (a view). */
export function obsRow(steps: Pick<StepColumns, 'obs'>, i: number, dims: Pick<StepDims, 'obsDim'>): Float32Array {
	return steps.obs.subarray(i * dims.obsDim, (i + 1) * dims.obsDim);
}

/** The buffers behind a block, for a worker's transfer list (each listed once). */
export function transferList(steps: StepColumns): ArrayBuffer[] {
	return [...new Set(STEP_COLUMNS.map((column) => steps[column.name].buffer as ArrayBuffer))];
}
