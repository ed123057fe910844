/**
 * A SAC checkpoint: one ZIP file, like PPO's (ppo/checkpoint.ts), that resumes a run exactly:
 *
 *   state.json      format, algo "sac", config, dims, counters, log α, Adam steps, RNG state,
 *                   observation normaliser statistics, the caller's meta
 *   actor.bin       the actor buffer as WEIGHTS_UPDATE ships it (trained floats, scale, bias)
 *   critic.bin      the twin critics; target.bin their Polyak targets
 *   adam.bin        Adam moments, actor then critics then α (each first then second moments)
 *   replay.bin      the replay buffer (optional, size-capped: the newest transitions that fit)
 *   model/model.json, model/weights.bin   the actor in tfjs Layers format (layers-export.ts)
 *   run/…           the caller's extra files (the learner's held steps)
 *
 * With the whole replay buffer included, N steps + save + load + M steps ≡ N + M steps; without
 * it, the resumed trainer refills its buffer to learningStarts before its next gradient step.
 */
import { strFromU8, strToU8, zipSync } from 'fflate';
import { CHECKPOINT_FORMAT, checkpointAlgo, checkpointFiles, floatBytes, floatsOf } from '../ppo/checkpoint.ts';
import { LAYERS_WEIGHTS_FILE } from '../ppo/layers-export.ts';
import { ObsNormalizer } from '../ppo/normalizer.ts';
import type { RngState } from '../ppo/random.ts';
import type { TrainerCounters } from '../ppo/trainer.ts';
import { resolveSacConfig, type SacConfig } from './config.ts';
import { exportSacLayersModel } from './layers-export.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { SacTrainer } from './trainer.ts';

export const SAC_CHECKPOINT_VERSION = 1;

interface StateJson {
	format: string;
	version: number;
	algo: 'sac';
	savedAt: string;
	config: SacConfig;
	obsDim: number;
	actionDim: number;
	counters: TrainerCounters;
	logAlpha: number;
	adamSteps: { actor: number; critic: number; alpha: number };
	rng: RngState;
	obsNorm: { mean: number[]; var: number[]; count: number };
	/** replay.bin holds the replay buffer (the newest transitions that fitted the cap). */
	replayIncluded: boolean;
	meta: Record<string, unknown>;
}

export interface SacSaveOptions {
	/** Bytes the replay buffer may take in the checkpoint (0 = leave it out; Infinity = all of it). */
	replayBytes?: number;
}

export async function saveSacCheckpoint(
	trainer: SacTrainer,
	meta: Record<string, unknown> = {},
	files: Record<string, Uint8Array> = {},
	o: SacSaveOptions = {}
): Promise<Uint8Array> {
	for (const path of Object.keys(files)) if (!path.startsWith('run/')) throw new Error(`checkpoint: extra file ${path} must live under run/`);
	const nets = trainer.nets.read();
	const adam = new Float32Array(nets.actorAdam.length + nets.criticAdam.length + nets.alphaAdam.length);
	adam.set(nets.actorAdam);
	adam.set(nets.criticAdam, nets.actorAdam.length);
	adam.set(nets.alphaAdam, nets.actorAdam.length + nets.criticAdam.length);
	const replayBytes = o.replayBytes ?? 0;
	const replay = replayBytes > 0 && trainer.replay.size > 0 ? trainer.replay.toBytes(replayBytes) : undefined;
	const stats = trainer.obsNorm.stats;
	const layers = await exportSacLayersModel(trainer.actorLayout, nets.actor);
	const state: StateJson = {
		format: CHECKPOINT_FORMAT,
		version: SAC_CHECKPOINT_VERSION,
		algo: 'sac',
		savedAt: new Date().toISOString(),
		config: trainer.config,
		obsDim: trainer.actorLayout.obsDim,
		actionDim: trainer.actorLayout.actionDim,
		counters: { ...trainer.counters },
		logAlpha: nets.logAlpha,
		adamSteps: nets.steps,
		rng: trainer.rng.save(),
		obsNorm: { mean: [...stats.mean], var: [...stats.var], count: stats.count },
		replayIncluded: replay !== undefined,
		meta
	};
	return zipSync({
		...files,
		'state.json': strToU8(JSON.stringify(state, null, 1)),
		'actor.bin': floatBytes(nets.actor),
		'critic.bin': floatBytes(nets.critic),
		'target.bin': floatBytes(nets.target),
		'adam.bin': floatBytes(adam),
		...(replay ? { 'replay.bin': replay } : {}),
		model: { 'model.json': strToU8(layers.modelJson), [LAYERS_WEIGHTS_FILE]: layers.weights }
	});
}

/** Rebuilds a SAC trainer exactly as it was saved (from the ZIP's bytes or its entries). Throws a clear error on anything else. */
export function loadSacCheckpoint(file: Uint8Array | Record<string, Uint8Array>): { trainer: SacTrainer; meta: Record<string, unknown> } {
	const files = checkpointFiles(file);
	if (checkpointAlgo(files) !== 'sac') throw new Error('this is a PPO checkpoint: the SAC trainer cannot load it');
	const state = JSON.parse(strFromU8(files['state.json'])) as StateJson;
	if (state.format !== CHECKPOINT_FORMAT) throw new Error(`not a pitwall checkpoint (format "${state.format}")`);
	if (state.version !== SAC_CHECKPOINT_VERSION) throw new Error(`SAC checkpoint version ${state.version} is not ${SAC_CHECKPOINT_VERSION}`);
	const config = resolveSacConfig(state.config);
	const actor = floatsOf(files['actor.bin'], 'actor.bin');
	const { obsDim, actionDim } = state;
	const scale = actor.subarray(actor.length - 2 * actionDim, actor.length - actionDim);
	const bias = actor.subarray(actor.length - actionDim);
	const low = Array.from(scale, (s, i) => bias[i] - s);
	const high = Array.from(scale, (s, i) => bias[i] + s);
	const replay = files['replay.bin'] ? ReplayBuffer.fromBytes(files['replay.bin']) : undefined;
	const trainer = new SacTrainer(obsDim, actionDim, low, high, config, replay);
	const adam = floatsOf(files['adam.bin'], 'adam.bin');
	const a = 2 * trainer.actorLayout.trainable;
	const c = 2 * trainer.criticLayout.size;
	if (adam.length !== a + c + 2) {
		trainer.dispose();
		throw new Error('checkpoint: adam.bin does not match the networks');
	}
	trainer.rng.restore(state.rng);
	restoreStats(trainer.obsNorm, state.obsNorm);
	trainer.restore(
		{
			actor,
			critic: floatsOf(files['critic.bin'], 'critic.bin'),
			target: floatsOf(files['target.bin'], 'target.bin'),
			logAlpha: state.logAlpha,
			actorAdam: adam.subarray(0, a),
			criticAdam: adam.subarray(a, a + c),
			alphaAdam: adam.subarray(a + c),
			steps: state.adamSteps
		},
		state.counters
	);
	return { trainer, meta: state.meta ?? {} };
}

function restoreStats(norm: ObsNormalizer, saved: StateJson['obsNorm']): void {
	norm.stats.mean.set(saved.mean);
	norm.stats.var.set(saved.var);
	norm.stats.count = saved.count;
}
