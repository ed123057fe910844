/**
 * How the threads of a PPO gradient pool share the work and the memory (grad-pool.ts leads,
 * grad-job.ts serves). The actor's and the critic's losses are independent: the actor goes to
 * the first ⌈threads/2⌉ threads, the critic to the rest, and within each the minibatch's rows are
 * split. The critic's Adam step runs on the critic's thread when it has one to itself (2 or 3
 * threads), overlapping the actor's; otherwise this thread adds the slots and steps everything.
 */
import type { PolicyLayout } from './layout.ts';
import type { GradPart } from './minibatch-grad.ts';
import { minibatchRows, type LossCoefficients, type MinibatchRows } from './minibatch-rows.ts';

export const CMD_GRAD = 1;
export const CMD_ADAM = 2;

/** What the threads share (structured-cloned to each; the buffers are shared, not copied). */
export interface GradShared {
	layout: PolicyLayout;
	capacity: number;
	/** θ during an update (the pool's working copy). */
	theta: SharedArrayBuffer;
	/** Adam's moments during an update, first then second (as checkpoints keep them). */
	moments: SharedArrayBuffer;
	rows: SharedArrayBuffer;
	/** One gradient per thread, thread i at i × layout.size (slot 0, the leader's, unused). */
	grads: SharedArrayBuffer;
	/** FIGURES per thread. */
	figures: SharedArrayBuffer;
	/** Float64: clipCoef, vfCoef, entCoef, clipVloss (1/0); the critic owner's squared gradient norm; its pending Adam step: step, lr, eps, scale, pending (1/0). */
	scalars: SharedArrayBuffer;
}

export const SCALARS = 10;
const NORM = 4;
const ADAM = 5;

export interface GradViews {
	theta: Float32Array;
	moments: Float32Array;
	rows: MinibatchRows;
	grads: Float32Array[];
	figures: Float64Array;
	scalars: Float64Array;
}

export function gradViews(s: GradShared, threads: number): GradViews {
	const { size } = s.layout;
	return {
		theta: new Float32Array(s.theta),
		moments: new Float32Array(s.moments),
		rows: minibatchRows(s.capacity, s.layout.obsDim, s.layout.actionDim, s.rows),
		grads: Array.from({ length: threads }, (_, i) => new Float32Array(s.grads, i * size * 4, size)),
		figures: new Float64Array(s.figures),
		scalars: new Float64Array(s.scalars)
	};
}

export const writeCoefficients = (s: Float64Array, c: LossCoefficients) => s.set([c.clipCoef, c.vfCoef, c.entCoef, c.clipVloss ? 1 : 0]);
export const readCoefficients = (s: Float64Array): LossCoefficients => ({ clipCoef: s[0], vfCoef: s[1], entCoef: s[2], clipVloss: s[3] === 1 });

export const readNorm = (s: Float64Array) => s[NORM];
export const writeNorm = (s: Float64Array, squared: number) => (s[NORM] = squared);

export interface AdamArgs {
	step: number;
	lr: number;
	eps: number;
	scale: number;
}

/** The critic owner's Adam step still to take (set by the leader after a round, taken in the next). */
export const pendingAdam = (s: Float64Array): AdamArgs | undefined =>
	s[ADAM + 4] === 1 ? { step: s[ADAM], lr: s[ADAM + 1], eps: s[ADAM + 2], scale: s[ADAM + 3] } : undefined;
export const setPendingAdam = (s: Float64Array, a: AdamArgs | undefined) => s.set(a ? [a.step, a.lr, a.eps, a.scale, 1] : [0, 0, 0, 0, 0], ADAM);

export interface ThreadShare {
	part: GradPart;
	/** Its place among the threads on the same network, and their number. */
	rank: number;
	group: number;
}

/** Thread `index` of `threads`: the actor on the first ⌈threads/2⌉, the critic on the rest (both on a lone thread). */
export function threadShare(index: number, threads: number): ThreadShare {
	if (threads === 1) return { part: 'both', rank: 0, group: 1 };
	const actors = Math.ceil(threads / 2);
	return index < actors ? { part: 'pi', rank: index, group: actors } : { part: 'v', rank: index - actors, group: threads - actors };
}

/** A share's rows [from, to) of a minibatch of n. */
export function shareRows(n: number, share: ThreadShare): [number, number] {
	return [Math.floor((share.rank * n) / share.group), Math.floor(((share.rank + 1) * n) / share.group)];
}

/** The thread that owns the critic's gradient and Adam step: its own when it is alone on the critic, else the leader (0). */
export const criticOwner = (threads: number): number => (threads === 2 || threads === 3 ? threads - 1 : 0);

/** The layout's flat range of a network's entries: the actor's first (log-std included), then the critic's. */
export function partRange(layout: PolicyLayout, part: GradPart): [number, number] {
	const criticStart = layout.entries.find((e) => e.name.startsWith('v/'))!.offset;
	return part === 'pi' ? [0, criticStart] : part === 'v' ? [criticStart, layout.size] : [0, layout.size];
}

/** torch.nn.utils.clip_grad_norm_'s factor from the squared global norm: max_norm / (norm + 1e-6) when that is below 1, else 1. */
export const clipFactor = (squaredNorm: number, maxNorm: number): number => Math.min(1, maxNorm / (Math.sqrt(squaredNorm) + 1e-6));

export function squaredNorm(g: Float32Array, from: number, to: number): number {
	let sq = 0;
	for (let i = from; i < to; i++) sq += g[i] * g[i];
	return sq;
}
