/**
 * A PPO gradient worker thread's rounds (started through parallel/pool.ts by grad-pool.ts): a
 * gradient round takes the critic's pending Adam step when this thread owns the critic, uploads
 * the shared θ, computes its share (a network, rows) of the minibatch's gradient and figures into
 * its slot, and reports done, or the error it hit.
 */
import { hostAdam } from '../nn/host-adam.ts';
import type { JobData } from '../parallel/pool.ts';
import { CMD_EXIT, RoundsWorker } from '../parallel/rounds.ts';
import {
	CMD_ADAM,
	CMD_GRAD,
	criticOwner,
	gradViews,
	partRange,
	pendingAdam,
	readCoefficients,
	shareRows,
	squaredNorm,
	threadShare,
	writeNorm,
	type GradShared
} from './grad-shares.ts';
import { FIGURES, PpoGradShard } from './minibatch-grad.ts';

/** Sets the thread up; the returned loop blocks until the leader stops it. */
export function serveGradRounds(data: JobData): () => void {
	const shared = data.shared as unknown as GradShared;
	const threads = data.count + 1;
	const views = gradViews(shared, threads);
	const share = threadShare(data.index, threads);
	const shard = new PpoGradShard(shared.layout, shared.capacity, share.part);
	const rounds = new RoundsWorker(data.rounds, data.index);
	const owns = criticOwner(threads) === data.index;
	const [lo, hi] = partRange(shared.layout, 'v');
	const grad = views.grads[data.index];
	const adam = () => {
		const a = pendingAdam(views.scalars);
		if (owns && a) hostAdam(views.theta, views.moments, grad, a.step, a.lr, a.eps, hi, a.scale, lo);
	};
	return () => {
		for (;;) {
			const { cmd, arg: n } = rounds.next();
			if (cmd === CMD_EXIT) break;
			try {
				if (cmd === CMD_ADAM) adam();
				else if (cmd === CMD_GRAD) {
					adam();
					shard.upload(views.theta);
					const [from, to] = shareRows(n, share);
					shard.grad(views.rows, from, to, n, views.theta, readCoefficients(views.scalars), false, grad, views.figures, data.index * FIGURES);
					if (owns) writeNorm(views.scalars, squaredNorm(grad, lo, hi));
				} else throw new Error(`unknown command ${cmd}`);
				rounds.done();
			} catch (error) {
				rounds.fail(error);
			}
		}
		shard.dispose();
	};
}
