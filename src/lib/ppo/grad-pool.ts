/**
 * Data-parallel PPO minibatch steps: each minibatch's gradient split between this thread (thread
 * 0, on the actor) and `threads − 1` worker threads (grad-job.ts), as grad-shares.ts assigns, all
 * reading one θ and one gathered minibatch in shared memory; each thread writes its gradient and
 * figures into its own slot. This thread gathers the slots in a fixed order (the same sums for the
 * same thread count), clips by the global norm and takes the Adam step — of the critic too, unless
 * the critic's thread owns it (2 or 3 threads), which takes it at the start of its next round.
 * Call `flush` before reading θ or the moments.
 */
import { hostAdam } from '../nn/host-adam.ts';
import { WorkerPool } from '../parallel/pool.ts';
import {
	CMD_ADAM,
	CMD_GRAD,
	clipFactor,
	criticOwner,
	gradViews,
	partRange,
	readCoefficients,
	readNorm,
	SCALARS,
	setPendingAdam,
	shareRows,
	squaredNorm,
	threadShare,
	writeCoefficients,
	type GradShared,
	type GradViews
} from './grad-shares.ts';
import type { PolicyLayout } from './layout.ts';
import { FIGURES, PpoGradShard } from './minibatch-grad.ts';
import { minibatchBytes, type LossCoefficients, type MinibatchRows } from './minibatch-rows.ts';

export interface StepSettings {
	learningRate: number;
	adamEps: number;
	maxGradNorm: number;
}

export class PpoGradPool {
	private readonly shard: PpoGradShard;
	private readonly views: GradViews;
	private readonly layout: PolicyLayout;
	private readonly owner: number;
	private readonly grad: Float32Array;

	private constructor(
		private readonly pool: WorkerPool,
		shared: GradShared,
		readonly threads: number
	) {
		this.views = gradViews(shared, threads);
		this.layout = shared.layout;
		this.shard = new PpoGradShard(shared.layout, shared.capacity, threadShare(0, threads).part);
		this.owner = criticOwner(threads);
		this.grad = new Float32Array(shared.layout.size);
	}

	/** Starts `threads − 1` worker threads on `backend` for minibatches of up to `capacity` rows. */
	static async start(layout: PolicyLayout, threads: number, capacity: number, backend: string, timeoutMs?: number): Promise<PpoGradPool> {
		if (!Number.isInteger(threads) || threads < 2) throw new Error(`a gradient pool needs 2 threads or more, not ${threads}`);
		const shared: GradShared = {
			layout,
			capacity,
			theta: new SharedArrayBuffer(layout.size * 4),
			moments: new SharedArrayBuffer(layout.size * 8),
			rows: new SharedArrayBuffer(minibatchBytes(capacity, layout.obsDim, layout.actionDim)),
			grads: new SharedArrayBuffer(threads * layout.size * 4),
			figures: new SharedArrayBuffer(threads * FIGURES * 8),
			scalars: new SharedArrayBuffer(SCALARS * 8)
		};
		const pool = await WorkerPool.start(threads - 1, { job: 'ppo-grad', backend, shared: shared as unknown as Record<string, unknown> }, timeoutMs);
		return new PpoGradPool(pool, shared, threads);
	}

	get capacity(): number {
		return this.views.rows.logProb.length;
	}

	/** The minibatch, shared: gather into it before `step`. */
	get rows(): MinibatchRows {
		return this.views.rows;
	}

	/** Takes θ and the moments for an update (the pool steps them in place until `finish`). */
	begin(theta: Float32Array, moments: Float32Array, c: LossCoefficients): void {
		this.views.theta.set(theta);
		this.views.moments.set(moments);
		writeCoefficients(this.views.scalars, c);
		setPendingAdam(this.views.scalars, undefined);
	}

	/** One minibatch of rows [0, n): gradient on every thread, global-norm clip, Adam step `adamStep`; its figures into `figures`. */
	step(n: number, adamStep: number, s: StepSettings, figures: Float64Array): void {
		const { theta, moments, rows, grads, scalars } = this.views;
		const all = this.views.figures;
		const grad = this.grad;
		this.pool.rounds.start(CMD_GRAD, n);
		this.shard.upload(theta);
		const [from, to] = shareRows(n, threadShare(0, this.threads));
		this.shard.grad(rows, from, to, n, theta, readCoefficients(scalars), true, grad, all, 0);
		this.pool.rounds.finish();
		for (let t = 1; t < this.threads; t++) {
			const share = threadShare(t, this.threads);
			if (t === this.owner) continue; // its gradient stays in its slot, for its own Adam step
			const [lo, hi] = partRange(this.layout, share.part);
			const g = grads[t];
			if (share.rank === 0) grad.set(g.subarray(lo, hi), lo);
			else for (let i = lo; i < hi; i++) grad[i] += g[i];
		}
		for (let k = 0; k < FIGURES; k++) {
			let sum = 0;
			for (let t = 0; t < this.threads; t++) sum += all[t * FIGURES + k];
			figures[k] = sum;
		}
		const mine = this.owner === 0 ? this.layout.size : partRange(this.layout, 'pi')[1];
		const squared = squaredNorm(grad, 0, mine) + (this.owner === 0 ? 0 : readNorm(scalars));
		const scale = clipFactor(squared, s.maxGradNorm);
		hostAdam(theta, moments, grad, adamStep, s.learningRate, s.adamEps, mine, scale);
		if (this.owner !== 0) setPendingAdam(scalars, { step: adamStep, lr: s.learningRate, eps: s.adamEps, scale });
	}

	/** Completes the last step (the critic owner's Adam) and gives θ and the moments back. */
	finish(theta: Float32Array, moments: Float32Array): void {
		if (this.owner !== 0) {
			this.pool.rounds.start(CMD_ADAM);
			this.pool.rounds.finish();
			setPendingAdam(this.views.scalars, undefined);
		}
		theta.set(this.views.theta);
		moments.set(this.views.moments);
	}

	async close(): Promise<void> {
		this.shard.dispose();
		await this.pool.close();
	}
}
