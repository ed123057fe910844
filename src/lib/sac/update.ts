/**
 * One SAC gradient step, as CleanRL's sac_continuous_action.py takes it for one sampled batch:
 *   critics  y = r + d·(min(Q̄₁, Q̄₂)(s′, a′) − α·log π(a′|s′)),  a′ ~ π(s′),  d = γᵏ·(1 − terminated)
 *            L_Q = mse(Q₁(s, a), y) + mse(Q₂(s, a), y)
 *   actor    every `policyFrequency` critic steps, that many actor steps (delayed):
 *            L_π = mean(α·log π(ã|s) − min(Q₁, Q₂)(s, ã)),  ã ~ π(s)
 *   α        with autotune, after each actor step: L_α = mean(−e^{log α}·(log π(ã|s) + H̄))
 *   targets  every `targetNetworkFrequency` critic steps: θ̄ ← τ·θ + (1 − τ)·θ̄
 * Gradients by tfjs autodiff; Adam without gradient clipping (as CleanRL). Noise comes in from the
 * caller (drawn with the trainer's Rng), so a run is reproducible and resumes exactly.
 */
import { adamApply } from '../ppo/adam.ts';
import { tf } from '../ppo/backend.ts';
import type { SacNets } from './nets.ts';
import type { ReplaySample } from './replay-buffer.ts';
import { actorSample, twinQ } from './networks.ts';

/** A sampled batch (replay-buffer.ts) as the trainer uploads it, observations normalised, with the step's noise. */
export interface SacBatch extends Omit<ReplaySample, 'index'> {
	/** Standard-normal noise for a′ (n × A). */
	epsNext: Float32Array;
	/** Noise for each actor step and its α step: policyFrequency × 2 blocks of n × A (empty when no actor update is due). */
	epsActor: Float32Array;
}

export interface SacStepMetrics {
	'losses/qf1_loss': number;
	'losses/qf2_loss': number;
	'losses/qf1_values': number;
	'losses/qf2_values': number;
	/** NaN on steps without an actor update. */
	'losses/actor_loss': number;
	'losses/alpha_loss': number;
	/** −mean log π of the actor's own samples (an entropy estimate). NaN without an actor update. */
	'losses/entropy': number;
	'losses/alpha': number;
}

export interface SacStepPlan {
	/** Actor steps to take after the critic step (0 or policyFrequency). */
	actorSteps: number;
	/** Polyak-update the targets after this step. */
	updateTargets: boolean;
	autotune: boolean;
	targetEntropy: number;
	tau: number;
	policyLr: number;
	qLr: number;
	adamEps: number;
}

const T2 = (values: Float32Array, rows: number, cols: number) => tf.tensor2d(values, [rows, cols]);

/** Runs one step on `nets` in place; returns its metrics. */
export function sacStep(nets: SacNets, batch: SacBatch, plan: SacStepPlan): SacStepMetrics {
	const { actorLayout, criticLayout } = nets;
	const { n } = batch;
	const { obsDim, actionDim } = actorLayout;
	let metrics: SacStepMetrics | undefined;
	tf.tidy(() => {
		const obs = T2(batch.obs, n, obsDim);
		const action = T2(batch.action, n, actionDim);
		const nextObs = T2(batch.nextObs, n, obsDim);
		const reward = tf.tensor1d(batch.reward);
		const discount = tf.tensor1d(batch.discount);
		const alpha = tf.exp(nets.logAlpha);

		// Critics.
		const next = actorSample(nets.actor, actorLayout, nextObs, T2(batch.epsNext, n, actionDim), nets.scale, nets.bias);
		const [t1, t2] = twinQ(nets.target, criticLayout, nextObs, next.action);
		const softNext = tf.sub(tf.minimum(t1, t2), tf.mul(alpha, next.logProb));
		const y = tf.add(reward, tf.mul(discount, softNext));
		let q1Loss = tf.scalar(0);
		let q2Loss = tf.scalar(0);
		let q1Mean = tf.scalar(0);
		let q2Mean = tf.scalar(0);
		const critic = tf.variableGrads(() => {
			const [q1, q2] = twinQ(nets.critic, criticLayout, obs, action);
			q1Loss = tf.keep(tf.mean(tf.square(tf.sub(q1, y))));
			q2Loss = tf.keep(tf.mean(tf.square(tf.sub(q2, y))));
			q1Mean = tf.keep(tf.mean(q1));
			q2Mean = tf.keep(tf.mean(q2));
			return tf.add(q1Loss, q2Loss) as tf.Scalar;
		}, [nets.critic]);
		nets.criticAdam.step++;
		adamApply(nets.critic, nets.criticAdam, critic.grads[nets.critic.name] as tf.Tensor1D, plan.qLr, plan.adamEps);

		// Actor and α (delayed).
		const sums = { actor: 0, alphaLoss: 0, entropy: 0 };
		const block = n * actionDim;
		for (let k = 0; k < plan.actorSteps; k++) {
			const eps = T2(batch.epsActor.subarray(2 * k * block, (2 * k + 1) * block), n, actionDim);
			const alphaNow = tf.exp(nets.logAlpha);
			const actor = tf.variableGrads(() => {
				const pi = actorSample(nets.actor, actorLayout, obs, eps, nets.scale, nets.bias);
				const [q1, q2] = twinQ(nets.critic, criticLayout, obs, pi.action);
				return tf.mean(tf.sub(tf.mul(alphaNow, pi.logProb), tf.minimum(q1, q2))) as tf.Scalar;
			}, [nets.actor]);
			nets.actorAdam.step++;
			adamApply(nets.actor, nets.actorAdam, actor.grads[nets.actor.name] as tf.Tensor1D, plan.policyLr, plan.adamEps);
			sums.actor += actor.value.dataSync()[0];
			const epsAlpha = T2(batch.epsActor.subarray((2 * k + 1) * block, (2 * k + 2) * block), n, actionDim);
			const logPi = actorSample(nets.actor, actorLayout, obs, epsAlpha, nets.scale, nets.bias).logProb;
			const meanLogPi = tf.mean(logPi);
			sums.entropy -= meanLogPi.dataSync()[0];
			if (plan.autotune) {
				const a = tf.variableGrads(() => tf.mean(tf.mul(tf.neg(tf.exp(nets.logAlpha)), tf.add(logPi, plan.targetEntropy))) as tf.Scalar, [nets.logAlpha]);
				nets.alphaAdam.step++;
				adamApply(nets.logAlpha, nets.alphaAdam, a.grads[nets.logAlpha.name] as tf.Tensor1D, plan.qLr, plan.adamEps);
				sums.alphaLoss += a.value.dataSync()[0];
			}
		}

		if (plan.updateTargets) nets.target.assign(tf.add(tf.mul(plan.tau, nets.critic), tf.mul(1 - plan.tau, nets.target)) as tf.Tensor1D);

		const kept = [q1Loss, q2Loss, q1Mean, q2Mean];
		const figures = tf.stack([...kept, tf.reshape(tf.exp(nets.logAlpha), [])]).dataSync();
		kept.forEach((t) => t.dispose()); // tf.keep took them out of every scope
		metrics = stepMetrics(figures, sums, plan, figures[4]);
	});
	return metrics!;
}

/**
 * A step's metrics from its critic figures [qf1 loss, qf2 loss, qf1 mean, qf2 mean], the sums
 * over its actor steps and α after it (both implementations report alike).
 */
export function stepMetrics(
	critic: ArrayLike<number>,
	sums: { actor: number; alphaLoss: number; entropy: number },
	plan: SacStepPlan,
	alpha: number
): SacStepMetrics {
	const per = (sum: number) => (plan.actorSteps > 0 ? sum / plan.actorSteps : NaN);
	return {
		'losses/qf1_loss': critic[0],
		'losses/qf2_loss': critic[1],
		'losses/qf1_values': critic[2],
		'losses/qf2_values': critic[3],
		'losses/actor_loss': per(sums.actor),
		'losses/alpha_loss': plan.autotune ? per(sums.alphaLoss) : NaN,
		'losses/entropy': per(sums.entropy),
		'losses/alpha': alpha
	};
}
