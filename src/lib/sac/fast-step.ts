/**
 * FastSac: SAC's gradient step with hand-derived gradients, the same step as update.ts (the tfjs
 * autodiff reference, tested equal in tests/unit/sac/fast-step.test.ts) at a fraction of the
 * kernels. The networks' matrix products run on the tfjs backend (nn/dense-stack.ts); the B × A
 * squashed-Gaussian head (squash.ts), the losses, Adam (nn/host-adam.ts) and the Polyak average run in TypeScript
 * on the flat buffers this class owns, in the SacNetsState layout checkpoints use.
 *
 * Per step (CleanRL's order): a′ ~ π(s′) and the targets' min Q̄(s′, a′) give y; both critics
 * step on (s, a); every `policyFrequency` steps the actor takes that many steps through the
 * updated critics, each followed by α's step on a fresh sample; then the targets move.
 */
import { DenseStack, layerSpecs } from '../nn/dense-stack.ts';
import { hostAdam as adam } from '../nn/host-adam.ts';
import { tf } from '../ppo/backend.ts';
import type { CriticLayout, SacActorLayout } from './layout.ts';
import { checkSizes, type SacNetsState, type SacStepper } from './nets.ts';
import { SquashState, squashBackward, squashForward } from './squash.ts';
import { stepMetrics, type SacBatch, type SacStepMetrics, type SacStepPlan } from './update.ts';

export class FastSac implements SacStepper {
	private readonly state: SacNetsState;
	private readonly actorNet: DenseStack;
	private readonly critics: DenseStack[];
	private readonly targets: DenseStack[];
	private readonly scale: Float32Array;
	private readonly bias: Float32Array;
	private readonly actorGrad: Float32Array;
	private readonly criticGrad: Float32Array;
	private readonly buffers = new Map<number, StepBuffers>();
	private stale = true;

	constructor(
		readonly actorLayout: SacActorLayout,
		readonly criticLayout: CriticLayout,
		actorParams: Float32Array,
		criticParams: Float32Array,
		logAlpha: number
	) {
		const { trainable, actionDim, obsDim, hiddenSizes } = actorLayout;
		checkSizes(actorLayout, criticLayout, actorParams, criticParams);
		this.state = {
			actor: actorParams.slice(),
			critic: criticParams.slice(),
			target: criticParams.slice(),
			logAlpha,
			actorAdam: new Float32Array(2 * trainable),
			criticAdam: new Float32Array(2 * criticLayout.size),
			alphaAdam: new Float32Array(2),
			steps: { actor: 0, critic: 0, alpha: 0 }
		};
		this.scale = this.state.actor.slice(trainable, trainable + actionDim);
		this.bias = this.state.actor.slice(trainable + actionDim);
		const layers = hiddenSizes.length;
		this.actorNet = new DenseStack(layerSpecs(actorLayout.entries, 'pi', layers, ['mean', 'log_std']), 'relu');
		const critic = (net: string, rows?: [number, number]) => new DenseStack(layerSpecs(criticLayout.entries, net, layers, ['out']), 'relu', rows);
		this.critics = ['q1', 'q2'].map((net) => critic(net, [obsDim, obsDim + actionDim]));
		this.targets = ['q1', 'q2'].map((net) => critic(net));
		this.actorGrad = new Float32Array(actorLayout.size);
		this.criticGrad = new Float32Array(criticLayout.size);
	}

	actorParams(): Float32Array {
		return this.state.actor.slice();
	}

	alpha(): number {
		return Math.exp(this.state.logAlpha);
	}

	read(): SacNetsState {
		const s = this.state;
		return {
			actor: s.actor.slice(),
			critic: s.critic.slice(),
			target: s.target.slice(),
			logAlpha: s.logAlpha,
			actorAdam: s.actorAdam.slice(),
			criticAdam: s.criticAdam.slice(),
			alphaAdam: s.alphaAdam.slice(),
			steps: { ...s.steps }
		};
	}

	write(state: SacNetsState): void {
		const s = this.state;
		for (const key of ['actor', 'critic', 'target', 'actorAdam', 'criticAdam', 'alphaAdam'] as const) {
			if (state[key].length !== s[key].length) throw new Error(`SAC state does not match the networks (${key})`);
		}
		const { trainable } = this.actorLayout;
		s.actor.set(state.actor.subarray(0, trainable)); // scale and bias are the layout's constants
		s.critic.set(state.critic);
		s.target.set(state.target);
		s.logAlpha = state.logAlpha;
		s.actorAdam.set(state.actorAdam);
		s.criticAdam.set(state.criticAdam);
		s.alphaAdam.set(state.alphaAdam);
		s.steps = { ...state.steps };
		this.stale = true;
	}

	step(batch: SacBatch, plan: SacStepPlan): SacStepMetrics {
		if (this.stale) {
			this.actorNet.upload(this.state.actor, true);
			for (const net of this.critics) net.upload(this.state.critic, true);
			for (const net of this.targets) net.upload(this.state.target, false);
			this.stale = false;
		}
		let metrics: SacStepMetrics | undefined;
		tf.tidy(() => {
			metrics = this.run(batch, plan);
		});
		return metrics!;
	}

	private run(batch: SacBatch, plan: SacStepPlan): SacStepMetrics {
		const s = this.state;
		const { n } = batch;
		const { obsDim: O, actionDim: A } = this.actorLayout;
		const buf = this.buffersFor(n);
		const obs = tf.tensor2d(batch.obs, [n, O]);

		// Critics: y = r + d·(min Q̄(s′, a′) − α·log π(a′|s′)).
		const alpha = Math.exp(s.logAlpha);
		const next = this.sample(tf.tensor2d(batch.nextObs, [n, O]), batch.epsNext, buf.next);
		joinRows(batch.nextObs, next.action, O, A, buf.x);
		const xNext = tf.tensor2d(buf.x, [n, O + A]);
		const t1 = this.targets[0].forward(xNext).out.dataSync();
		const t2 = this.targets[1].forward(xNext).out.dataSync();
		const y = buf.y;
		for (let b = 0; b < n; b++) y[b] = batch.reward[b] + batch.discount[b] * (Math.min(t1[b], t2[b]) - alpha * next.logProb[b]);

		joinRows(batch.obs, batch.action, O, A, buf.x);
		const x = tf.tensor2d(buf.x, [n, O + A]);
		const xT = tf.tensor2d(transpose(buf.x, n, O + A, buf.xT), [O + A, n]);
		const figures = [0, 0, 0, 0];
		for (const [i, net] of this.critics.entries()) {
			const fwd = net.forward(x);
			const q = fwd.out.dataSync();
			let loss = 0;
			let mean = 0;
			for (let b = 0; b < n; b++) {
				const d = q[b] - y[b];
				loss += d * d;
				mean += q[b];
				buf.dq[b] = (2 * d) / n;
			}
			// As float32, like the reference's figures: a loss past float32's range is not finite.
			figures[i] = Math.fround(loss / n);
			figures[2 + i] = Math.fround(mean / n);
			net.backward(fwd, tf.tensor2d(buf.dq, [n, 1]), { grads: this.criticGrad, inputT: xT, ones: buf.ones });
		}
		s.steps.critic++;
		adam(s.critic, s.criticAdam, this.criticGrad, s.steps.critic, plan.qLr, plan.adamEps, s.critic.length);
		for (const net of this.critics) net.upload(s.critic, true);

		// Actor and α (delayed).
		const sums = { actor: 0, alphaLoss: 0, entropy: 0 };
		const block = n * A;
		const obsT = plan.actorSteps > 0 ? tf.tensor2d(transpose(batch.obs, n, O, buf.obsT), [O, n]) : undefined;
		for (let k = 0; k < plan.actorSteps; k++) {
			const alphaNow = Math.exp(s.logAlpha);
			const fwd = this.actorNet.forward(obs);
			const pi = buf.pi;
			squashForward(fwd.out.dataSync(), batch.epsActor.subarray(2 * k * block, (2 * k + 1) * block), this.scale, this.bias, pi);
			joinRows(batch.obs, pi.action, O, A, buf.x);
			const xPi = tf.tensor2d(buf.x, [n, O + A]);
			const f1 = this.critics[0].forward(xPi);
			const f2 = this.critics[1].forward(xPi);
			const q1 = f1.out.dataSync();
			const q2 = f2.out.dataSync();
			let loss = 0;
			for (let b = 0; b < n; b++) {
				// tfjs's minimum sends the gradient to its first argument on ties.
				const first = q1[b] <= q2[b];
				loss += alphaNow * pi.logProb[b] - (first ? q1[b] : q2[b]);
				buf.g1[b] = first ? -1 / n : 0;
				buf.g2[b] = first ? 0 : -1 / n;
			}
			sums.actor += Math.fround(loss / n);
			const dA1 = this.critics[0].backward(f1, tf.tensor2d(buf.g1, [n, 1]), { inputGrad: true })!.dataSync();
			const dA2 = this.critics[1].backward(f2, tf.tensor2d(buf.g2, [n, 1]), { inputGrad: true })!.dataSync();
			for (let j = 0; j < block; j++) buf.dA[j] = dA1[j] + dA2[j];
			squashBackward(pi, buf.dA, alphaNow / n, this.scale, buf.dHead);
			this.actorNet.backward(fwd, tf.tensor2d(buf.dHead, [n, 2 * A]), { grads: this.actorGrad, inputT: obsT, ones: buf.ones });
			s.steps.actor++;
			adam(s.actor, s.actorAdam, this.actorGrad, s.steps.actor, plan.policyLr, plan.adamEps, this.actorLayout.trainable);
			this.actorNet.upload(s.actor, true);

			const fresh = this.sample(obs, batch.epsActor.subarray((2 * k + 1) * block, (2 * k + 2) * block), buf.alpha);
			const meanLogPi = fresh.meanLogProb();
			sums.entropy -= meanLogPi;
			if (plan.autotune) {
				// L_α = −e^{log α}·(mean log π + H̄), and so is its derivative in log α.
				const alphaLoss = -Math.exp(s.logAlpha) * (meanLogPi + plan.targetEntropy);
				s.steps.alpha++;
				const logAlpha = Float32Array.of(s.logAlpha);
				adam(logAlpha, s.alphaAdam, Float32Array.of(alphaLoss), s.steps.alpha, plan.qLr, plan.adamEps, 1);
				s.logAlpha = logAlpha[0];
				sums.alphaLoss += alphaLoss;
			}
		}

		if (plan.updateTargets) {
			const { critic, target } = s;
			for (let i = 0; i < target.length; i++) target[i] = plan.tau * critic[i] + (1 - plan.tau) * target[i];
			for (const net of this.targets) net.upload(target, false);
		}

		return stepMetrics(figures, sums, plan, Math.exp(s.logAlpha));
	}

	/** a ~ π(obs) with noise `eps`, into `out`. */
	private sample(obs: tf.Tensor2D, eps: Float32Array, out: SquashState): SquashState {
		squashForward(this.actorNet.forward(obs).out.dataSync(), eps, this.scale, this.bias, out);
		return out;
	}

	private buffersFor(n: number): StepBuffers {
		let buf = this.buffers.get(n);
		if (!buf) {
			const { obsDim: O, actionDim: A } = this.actorLayout;
			buf = {
				next: new SquashState(n, A),
				pi: new SquashState(n, A),
				alpha: new SquashState(n, A),
				x: new Float32Array(n * (O + A)),
				xT: new Float32Array(n * (O + A)),
				obsT: new Float32Array(n * O),
				y: new Float64Array(n),
				dq: new Float32Array(n),
				g1: new Float32Array(n),
				g2: new Float32Array(n),
				dA: new Float32Array(n * A),
				dHead: new Float32Array(n * 2 * A),
				ones: tf.keep(tf.ones([1, n]))
			};
			this.buffers.set(n, buf);
		}
		return buf;
	}

	dispose(): void {
		this.actorNet.dispose();
		for (const net of [...this.critics, ...this.targets]) net.dispose();
		for (const buf of this.buffers.values()) buf.ones.dispose();
		this.buffers.clear();
		this.stale = true;
	}
}

interface StepBuffers {
	next: SquashState;
	pi: SquashState;
	alpha: SquashState;
	x: Float32Array;
	xT: Float32Array;
	obsT: Float32Array;
	y: Float64Array;
	dq: Float32Array;
	g1: Float32Array;
	g2: Float32Array;
	dA: Float32Array;
	dHead: Float32Array;
	ones: tf.Tensor2D;
}

/** Rows of [obs | action] (n × (O + A)) into `out`. */
function joinRows(obs: Float32Array, action: Float32Array, O: number, A: number, out: Float32Array): void {
	const n = out.length / (O + A);
	for (let b = 0; b < n; b++) {
		out.set(obs.subarray(b * O, (b + 1) * O), b * (O + A));
		out.set(action.subarray(b * A, (b + 1) * A), b * (O + A) + O);
	}
}

function transpose(m: Float32Array, rows: number, cols: number, out: Float32Array): Float32Array {
	for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
	return out;
}
