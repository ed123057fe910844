/**
 * A checkpoint is one ZIP file holding everything needed to resume bit for bit:
 *
 *   model/model.json, model/weights.bin   the network in tfjs Layers format (tf.loadLayersModel)
 *   params.bin                            the flat float32 parameters (exact, includes log-std)
 *   adam.bin                              Adam's first then second moments, float32
 *   state.json                            format, config, layout, counters, Adam step, RNG state,
 *                                         observation and reward normaliser statistics
 *   run/…                                 the caller's extra files (the learner's held steps),
 *                                         (the trainer ignores them)
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { tf } from './backend.ts';
import { resolvePpoConfig, type PpoConfig } from './config.ts';
import { exportLayersModel, LAYERS_WEIGHTS_FILE, type LayersArtifacts } from './layers-export.ts';
import type { RngState } from './random.ts';
import { PpoTrainer, type TrainerCounters } from './trainer.ts';

export const CHECKPOINT_FORMAT = 'pitwall-checkpoint';
export const CHECKPOINT_VERSION = 1;

interface StatsJson {
	mean: number[];
	var: number[];
	count: number;
}

interface StateJson {
	format: string;
	version: number;
	savedAt: string;
	config: PpoConfig;
	obsDim: number;
	actionDim: number;
	counters: TrainerCounters;
	adamStep: number;
	rng: RngState;
	obsNorm: StatsJson;
	rewardScaler: { stats: StatsJson; returns: Record<string, number> };
	/** Free-form extras from the caller (run id, best return, …). */
	meta: Record<string, unknown>;
}

/** A float32 array as the bytes of a checkpoint entry (a view, no copy). */
export const floatBytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A checkpoint entry's float32s (copied, aligned), or a clear error. */
export function floatsOf(b: Uint8Array | undefined, name: string): Float32Array {
	if (!b || b.length % 4) throw new Error(`checkpoint: ${name} missing or malformed`);
	return new Float32Array(b.slice().buffer);
}

/** A checkpoint's entries by path: unzipped from its bytes, or as given when already unzipped. */
export function checkpointFiles(file: Uint8Array | Record<string, Uint8Array>): Record<string, Uint8Array> {
	if (!(file instanceof Uint8Array)) return file;
	try {
		return unzipSync(file);
	} catch (error) {
		throw new Error(`not a pitwall checkpoint (unreadable zip: ${(error as Error).message})`);
	}
}

/** The algorithm a checkpoint's state.json names (checkpoints from before SAC are PPO's). */
export function checkpointAlgo(files: Record<string, Uint8Array>): 'ppo' | 'sac' {
	const state = files['state.json'];
	if (!state) throw new Error('not a pitwall checkpoint (no state.json)');
	const algo = (JSON.parse(strFromU8(state)) as { algo?: string }).algo ?? 'ppo';
	if (algo !== 'ppo' && algo !== 'sac') throw new Error(`checkpoint of an unknown algorithm "${algo}"`);
	return algo;
}

export async function saveCheckpoint(trainer: PpoTrainer, meta: Record<string, unknown> = {}, files: Record<string, Uint8Array> = {}): Promise<Uint8Array> {
	for (const path of Object.keys(files)) if (!path.startsWith('run/')) throw new Error(`checkpoint: extra file ${path} must live under run/`);
	const params = trainer.params();
	const layers = await exportLayersModel(trainer.layout, params);
	const m = trainer.adam.m.dataSync() as Float32Array;
	const v = trainer.adam.v.dataSync() as Float32Array;
	const adam = new Float32Array(m.length * 2);
	adam.set(m);
	adam.set(v, m.length);
	const stats = (s: { mean: Float64Array; var: Float64Array; count: number }): StatsJson => ({ mean: [...s.mean], var: [...s.var], count: s.count });
	const state: StateJson = {
		format: CHECKPOINT_FORMAT,
		version: CHECKPOINT_VERSION,
		savedAt: new Date().toISOString(),
		config: trainer.config,
		obsDim: trainer.layout.obsDim,
		actionDim: trainer.layout.actionDim,
		counters: { ...trainer.counters },
		adamStep: trainer.adam.step,
		rng: trainer.rng.save(),
		obsNorm: stats(trainer.obsNorm.stats),
		rewardScaler: { stats: stats(trainer.rewardScaler.returnStats), returns: trainer.rewardScaler.saveReturns() },
		meta
	};
	return zipSync({
		...files,
		'state.json': strToU8(JSON.stringify(state, null, 1)),
		'params.bin': floatBytes(params),
		'adam.bin': floatBytes(adam),
		model: { 'model.json': strToU8(layers.modelJson), [LAYERS_WEIGHTS_FILE]: layers.weights }
	});
}

export interface LoadedCheckpoint {
	trainer: PpoTrainer;
	meta: Record<string, unknown>;
	layers: LayersArtifacts;
}

/** Rebuilds a trainer exactly as it was saved (from the ZIP's bytes or its entries). Throws a clear error on anything else. */
export function loadCheckpoint(file: Uint8Array | Record<string, Uint8Array>): LoadedCheckpoint {
	const files = checkpointFiles(file);
	if (checkpointAlgo(files) !== 'ppo') throw new Error('this is a SAC checkpoint: the PPO trainer cannot load it');
	const state = JSON.parse(strFromU8(files['state.json'])) as StateJson; // checkpointAlgo: it is there
	if (state.format !== CHECKPOINT_FORMAT) throw new Error(`not a pitwall checkpoint (format "${state.format}")`);
	if (state.version !== CHECKPOINT_VERSION) throw new Error(`checkpoint version ${state.version} is not ${CHECKPOINT_VERSION}`);
	const config = resolvePpoConfig(state.config);
	const params = floatsOf(files['params.bin'], 'params.bin');
	const adam = floatsOf(files['adam.bin'], 'adam.bin');
	const trainer = new PpoTrainer(state.obsDim, state.actionDim, config, params);
	if (adam.length !== 2 * trainer.layout.size) {
		trainer.dispose();
		throw new Error('checkpoint: adam.bin does not match the network');
	}
	tf.tidy(() => {
		trainer.adam.m.assign(tf.tensor1d(adam.subarray(0, trainer.layout.size)));
		trainer.adam.v.assign(tf.tensor1d(adam.subarray(trainer.layout.size)));
	});
	trainer.adam.step = state.adamStep;
	trainer.rng.restore(state.rng);
	trainer.counters = { ...state.counters };
	const restore = (target: { mean: Float64Array; var: Float64Array; count: number }, saved: StatsJson) => {
		target.mean.set(saved.mean);
		target.var.set(saved.var);
		target.count = saved.count;
	};
	restore(trainer.obsNorm.stats, state.obsNorm);
	restore(trainer.rewardScaler.returnStats, state.rewardScaler.stats);
	trainer.rewardScaler.restoreReturns(state.rewardScaler.returns);
	const modelJson = files['model/model.json'];
	const weights = files[`model/${LAYERS_WEIGHTS_FILE}`];
	if (!modelJson || !weights) throw new Error('checkpoint: model/ missing');
	return { trainer, meta: state.meta ?? {}, layers: { modelJson: strFromU8(modelJson), weights } };
}
