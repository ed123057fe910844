/**
 * train(envFactory, config): the local runner. Several envs step with the pure-TS policy (as
 * actors do), their segments fill a rollout buffer, and the trainer updates every nSteps samples.
 */
import type { PpoConfig } from './config.ts';
import type { Env, EnvFactory } from './envs/env.ts';
import { SegmentRecorder } from '../transitions/index.ts';
import { Rng } from './random.ts';
import { RolloutBuffer } from './rollout-buffer.ts';
import { PpoTrainer, type TrainerUpdateResult } from './trainer.ts';

export interface TrainOptions {
	numEnvs: number;
	totalSteps: number;
	/**
	 * Called after each update with its metrics and the episodes finished since the last one, and
	 * the trainer (for evaluation with `trainer.policy()`); return false to stop.
	 */
	onUpdate?: (report: TrainReport, trainer: PpoTrainer) => void | boolean;
}

export interface EpisodeRecord {
	return: number;
	length: number;
	/** Global env steps when the episode ended. */
	step: number;
}

export interface TrainReport {
	globalStep: number;
	update: TrainerUpdateResult;
	episodes: EpisodeRecord[];
	/** Mean return of the episodes finished since the last update (NaN when none). */
	meanReturn: number;
}

interface Recorder {
	stream: string;
	env: Env;
	obs: Float32Array;
	episodeReturn: number;
	segment: SegmentRecorder;
}

export function train(envFactory: EnvFactory, config: Partial<PpoConfig>, options: TrainOptions): { trainer: PpoTrainer; reports: TrainReport[] } {
	const envs = Array.from({ length: options.numEnvs }, (_, i) => envFactory(i));
	const { obsDim, actionDim, actionLow, actionHigh } = envs[0];
	const trainer = new PpoTrainer(obsDim, actionDim, config);
	const nSteps = trainer.config.nSteps;
	const buffer = new RolloutBuffer(obsDim, actionDim, nSteps);
	const seed = trainer.config.seed;
	const actionRng = new Rng(seed * 7919 + 1);
	let resets = 0;
	const recorders: Recorder[] = envs.map((env, i) => ({
		stream: String(i),
		env,
		obs: env.reset(seed * 100_003 + resets++),
		episodeReturn: 0,
		segment: new SegmentRecorder({ obsDim, actionDim }, nSteps)
	}));
	const reports: TrainReport[] = [];
	let globalStep = 0;
	let episodes: EpisodeRecord[] = [];

	const flush = (r: Recorder, finalObs: Float32Array, terminated: boolean, truncated: boolean) => {
		const block = r.segment.flush(finalObs, terminated, truncated);
		if (block) buffer.add(r.stream, block.segments[0], block);
	};

	const clipped = new Float32Array(actionDim);
	while (globalStep < options.totalSteps) {
		const policy = trainer.policy();
		policy.computeValue = false; // the trainer recomputes values before GAE
		buffer.clear();
		for (let t = 0; t < Math.ceil(nSteps / envs.length) && buffer.size + recorders.reduce((s, r) => s + r.segment.n, 0) < nSteps; t++) {
			for (const r of recorders) {
				const { action, logProb } = policy.act(r.obs, actionRng);
				for (let i = 0; i < actionDim; i++) clipped[i] = Math.min(actionHigh[i], Math.max(actionLow[i], action[i]));
				const step = r.env.step(clipped);
				r.segment.push({ obs: r.obs, action, reward: step.reward, logProb, policyVersion: trainer.counters.policyVersion });
				r.episodeReturn += step.reward;
				globalStep++;
				if (step.terminated || step.truncated) {
					flush(r, step.obs, step.terminated, step.truncated);
					episodes.push({ return: r.episodeReturn, length: r.segment.stepIndex, step: globalStep });
					r.obs = r.env.reset(seed * 100_003 + resets++);
					r.segment.nextEpisode();
					r.episodeReturn = 0;
				} else {
					r.obs = step.obs;
				}
			}
		}
		for (const r of recorders) flush(r, r.obs, false, false); // cut by the rollout boundary
		const update = trainer.update(buffer);
		const meanReturn = episodes.length ? episodes.reduce((s, e) => s + e.return, 0) / episodes.length : NaN;
		const report = { globalStep, update, episodes, meanReturn };
		reports.push(report);
		episodes = [];
		if (options.onUpdate?.(report, trainer) === false) break;
	}
	return { trainer, reports };
}
