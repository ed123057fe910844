/**
 * A gathered PPO minibatch as typed arrays, in plain or shared memory (the threads of
 * grad-pool.ts read one copy), and the loss settings its gradient needs.
 */

/** A gathered minibatch, row-major, `capacity` rows (advantages already normalised). */
export interface MinibatchRows {
	obs: Float32Array;
	action: Float32Array;
	logProb: Float32Array;
	adv: Float64Array;
	returns: Float32Array;
	values: Float32Array;
}

/** The loss settings a gradient needs (the live-editable entCoef among them). */
export interface LossCoefficients {
	clipCoef: number;
	vfCoef: number;
	entCoef: number;
	clipVloss: boolean;
}

/** Views of `capacity` rows over `buffer` from `offset` (8-byte aligned), or over fresh memory. */
export function minibatchRows(capacity: number, obsDim: number, actionDim: number, buffer?: SharedArrayBuffer, offset = 0): MinibatchRows {
	const b = buffer ?? new ArrayBuffer(minibatchBytes(capacity, obsDim, actionDim));
	let at = offset;
	const f32 = (length: number) => {
		const view = new Float32Array(b, at, length);
		at += 4 * length;
		return view;
	};
	const adv = new Float64Array(b, at, capacity); // first: 8-byte aligned
	at += 8 * capacity;
	return { adv, obs: f32(capacity * obsDim), action: f32(capacity * actionDim), logProb: f32(capacity), returns: f32(capacity), values: f32(capacity) };
}

/** Bytes minibatchRows takes (a multiple of 8). */
export function minibatchBytes(capacity: number, obsDim: number, actionDim: number): number {
	return Math.ceil((capacity * 8 + 4 * capacity * (obsDim + actionDim + 3)) / 8) * 8;
}
