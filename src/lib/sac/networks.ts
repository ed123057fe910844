/**
 * SAC's networks in TensorFlow.js over flat parameter tensors (layout.ts): the squashed-Gaussian
 * actor and the twin Q critics. Each function slices its weights out of the flat tensor it is
 * given, so the same code runs the critics and their Polyak targets, and autodiff sees one
 * variable per network. Call inside tf.tidy or a gradient function. Node only (tfjs).
 */
import { tf } from '../ppo/backend.ts';
import { LOG_SQRT_2PI } from '../ppo/gaussian.ts';
import type { ParamEntry } from '../ppo/layout.ts';
import { LOG_STD_MAX, LOG_STD_MIN, SQUASH_EPSILON, type CriticLayout, type SacActorLayout } from './layout.ts';

type Pieces = Map<string, tf.Tensor>;

function pieces(theta: tf.Tensor1D, entries: readonly ParamEntry[]): Pieces {
	const parts = tf.split(
		theta,
		entries.map((e) => e.size)
	);
	return new Map(entries.map((e, i) => [e.name, e.shape.length === 1 ? parts[i] : tf.reshape(parts[i], e.shape)]));
}

/**
 * x·W + b (then ReLU) with its gradient spelled out: tfjs's own matMul gradient multiplies by
 * transposed operands through the transpose flags, which the wasm backend runs 10–15× slower
 * than an explicit transpose followed by a plain matMul (bench: 256×256×256, 16 ms vs 1.3 ms).
 */
const layer = (relu: boolean) =>
	tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
		const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
		const y = tf.fused.matMul({ a: x, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
		save([x, w, y]);
		return {
			value: y,
			gradFunc: (dy, saved) => {
				const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
				const g = relu ? tf.mul(dy as tf.Tensor2D, tf.step(ys)) : (dy as tf.Tensor2D);
				return [tf.matMul(g, tf.transpose(ws)), tf.matMul(tf.transpose(xs), g), tf.sum(g, 0)];
			}
		};
	});
const reluLayer = layer(true);
const linearLayer = layer(false);

function dense(p: Pieces, w: string, b: string, x: tf.Tensor2D): tf.Tensor2D {
	return linearLayer(x, p.get(w)!, p.get(b)!) as tf.Tensor2D;
}

/** ReLU hidden layers of network `net`. */
function trunk(p: Pieces, net: string, layers: number, x: tf.Tensor2D): tf.Tensor2D {
	let h = x;
	for (let i = 0; i < layers; i++) h = reluLayer(h, p.get(`${net}/w${i}`)!, p.get(`${net}/b${i}`)!) as tf.Tensor2D;
	return h;
}

export interface ActorSample {
	/** The squashed action tanh(u)·scale + bias, in bounds: [B, A]. */
	action: tf.Tensor2D;
	/** log π(action | obs) with the tanh correction: [B]. */
	logProb: tf.Tensor1D;
	/** The deterministic action tanh(mean)·scale + bias: [B, A]. */
	mean: tf.Tensor2D;
}

/**
 * The actor on a batch of (normalised) observations with standard-normal noise `eps` [B, A]
 * (drawn by the caller, so runs are reproducible and resumable). `theta` holds the trained floats
 * only (layout.trainable); the squash's scale and bias come separately.
 */
export function actorSample(
	theta: tf.Tensor1D,
	layout: SacActorLayout,
	obs: tf.Tensor2D,
	eps: tf.Tensor2D,
	scale: tf.Tensor1D,
	bias: tf.Tensor1D
): ActorSample {
	const p = pieces(theta, layout.entries.slice(0, -2));
	const h = trunk(p, 'pi', layout.hiddenSizes.length, obs);
	const mean = dense(p, 'pi/mean/w', 'pi/mean/b', h);
	const raw = dense(p, 'pi/log_std/w', 'pi/log_std/b', h);
	const logStd = tf.add(LOG_STD_MIN, tf.mul(0.5 * (LOG_STD_MAX - LOG_STD_MIN), tf.add(tf.tanh(raw), 1)));
	const u = tf.add(mean, tf.mul(tf.exp(logStd), eps));
	const y = tf.tanh(u);
	const correction = tf.log(tf.add(tf.mul(scale, tf.sub(1, tf.square(y))), SQUASH_EPSILON));
	const perDim = tf.sub(tf.sub(tf.mul(-0.5, tf.square(eps)), tf.add(logStd, LOG_SQRT_2PI)), correction);
	return {
		action: tf.add(tf.mul(y, scale), bias) as tf.Tensor2D,
		logProb: tf.sum(perDim, 1) as tf.Tensor1D,
		mean: tf.add(tf.mul(tf.tanh(mean), scale), bias) as tf.Tensor2D
	};
}

/** Both critics' Q(obs, action): [B] each. */
export function twinQ(theta: tf.Tensor1D, layout: CriticLayout, obs: tf.Tensor2D, action: tf.Tensor2D): [tf.Tensor1D, tf.Tensor1D] {
	const p = pieces(theta, layout.entries);
	const x = tf.concat([obs, action], 1);
	const q = (net: string) => tf.reshape(dense(p, `${net}/out/w`, `${net}/out/b`, trunk(p, net, layout.hiddenSizes.length, x)), [-1]) as tf.Tensor1D;
	return [q('q1'), q('q2')];
}
