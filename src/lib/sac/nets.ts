/**
 * SAC's trained state on the tfjs backend: the actor, the twin critics, their Polyak targets and
 * log α, each one flat variable with its own Adam; the squash's scale and bias as constants.
 * `read()` and `write()` move all of it to and from plain arrays (checkpoints, the training guard).
 */
import { AdamState } from '../ppo/adam.ts';
import { tf } from '../ppo/backend.ts';
import type { CriticLayout, SacActorLayout } from './layout.ts';
import { sacStep, type SacBatch, type SacStepMetrics, type SacStepPlan } from './update.ts';

/** Everything `SacNets` holds, as plain arrays. */
export interface SacNetsState {
	/** The whole actor buffer (trained floats, then scale and bias), as WEIGHTS_UPDATE ships it. */
	actor: Float32Array;
	critic: Float32Array;
	target: Float32Array;
	logAlpha: number;
	/** Adam moments (first then second) and steps, per optimiser. */
	actorAdam: Float32Array;
	criticAdam: Float32Array;
	alphaAdam: Float32Array;
	steps: { actor: number; critic: number; alpha: number };
}

/**
 * What the trainer needs of SAC's networks: take a gradient step, and move the whole state to and
 * from plain arrays. Two implementations, tested equal: SacNets (this file, tfjs autodiff: the
 * reference) and FastSac (fast-step.ts, hand-derived gradients: what the trainer runs).
 */
export interface SacStepper {
	step(batch: SacBatch, plan: SacStepPlan): SacStepMetrics;
	read(): SacNetsState;
	write(state: SacNetsState): void;
	/** The actor buffer as actors run it. */
	actorParams(): Float32Array;
	alpha(): number;
	dispose(): void;
}

/** Throws unless the buffers fit the layouts. */
export function checkSizes(actorLayout: SacActorLayout, criticLayout: CriticLayout, actorParams: Float32Array, criticParams: Float32Array): void {
	if (actorParams.length !== actorLayout.size) throw new Error(`expected ${actorLayout.size} actor parameters, got ${actorParams.length}`);
	if (criticParams.length !== criticLayout.size) throw new Error(`expected ${criticLayout.size} critic parameters, got ${criticParams.length}`);
}

export class SacNets implements SacStepper {
	readonly actor: tf.Variable<tf.Rank.R1>;
	readonly critic: tf.Variable<tf.Rank.R1>;
	readonly target: tf.Variable<tf.Rank.R1>;
	readonly logAlpha: tf.Variable<tf.Rank.R1>;
	readonly scale: tf.Tensor1D;
	readonly bias: tf.Tensor1D;
	readonly actorAdam: AdamState;
	readonly criticAdam: AdamState;
	readonly alphaAdam: AdamState;

	constructor(
		readonly actorLayout: SacActorLayout,
		readonly criticLayout: CriticLayout,
		actorParams: Float32Array,
		criticParams: Float32Array,
		logAlpha: number
	) {
		checkSizes(actorLayout, criticLayout, actorParams, criticParams);
		const { trainable, actionDim } = actorLayout;
		this.actor = tf.variable(tf.tensor1d(actorParams.subarray(0, trainable)), true, undefined);
		this.scale = tf.tensor1d(actorParams.subarray(trainable, trainable + actionDim));
		this.bias = tf.tensor1d(actorParams.subarray(trainable + actionDim));
		this.critic = tf.variable(tf.tensor1d(criticParams), true);
		this.target = tf.variable(tf.tensor1d(criticParams), false);
		this.logAlpha = tf.variable(tf.tensor1d([logAlpha]), true);
		this.actorAdam = new AdamState(trainable);
		this.criticAdam = new AdamState(criticLayout.size);
		this.alphaAdam = new AdamState(1);
	}

	step(batch: SacBatch, plan: SacStepPlan): SacStepMetrics {
		return sacStep(this, batch, plan);
	}

	actorParams(): Float32Array {
		const { trainable, actionDim } = this.actorLayout;
		const out = new Float32Array(this.actorLayout.size);
		out.set(this.actor.dataSync() as Float32Array);
		out.set(this.scale.dataSync() as Float32Array, trainable);
		out.set(this.bias.dataSync() as Float32Array, trainable + actionDim);
		return out;
	}

	alpha(): number {
		return Math.exp(this.logAlpha.dataSync()[0]);
	}

	read(): SacNetsState {
		return {
			actor: this.actorParams(),
			critic: (this.critic.dataSync() as Float32Array).slice(),
			target: (this.target.dataSync() as Float32Array).slice(),
			logAlpha: this.logAlpha.dataSync()[0],
			actorAdam: this.actorAdam.moments(),
			criticAdam: this.criticAdam.moments(),
			alphaAdam: this.alphaAdam.moments(),
			steps: { actor: this.actorAdam.step, critic: this.criticAdam.step, alpha: this.alphaAdam.step }
		};
	}

	/** Puts a state from `read()` back (the scale and bias are the layout's constants: checked, not written). */
	write(state: SacNetsState): void {
		const { trainable } = this.actorLayout;
		if (state.actor.length !== this.actorLayout.size || state.critic.length !== this.criticLayout.size || state.target.length !== this.criticLayout.size) {
			throw new Error('SAC state does not match the networks');
		}
		tf.tidy(() => {
			this.actor.assign(tf.tensor1d(state.actor.subarray(0, trainable)));
			this.critic.assign(tf.tensor1d(state.critic));
			this.target.assign(tf.tensor1d(state.target));
			this.logAlpha.assign(tf.tensor1d([state.logAlpha]));
		});
		this.actorAdam.restore(state.actorAdam, state.steps.actor);
		this.criticAdam.restore(state.criticAdam, state.steps.critic);
		this.alphaAdam.restore(state.alphaAdam, state.steps.alpha);
	}

	dispose(): void {
		for (const t of [this.actor, this.critic, this.target, this.logAlpha, this.scale, this.bias]) t.dispose();
		for (const a of [this.actorAdam, this.criticAdam, this.alphaAdam]) a.dispose();
	}
}
