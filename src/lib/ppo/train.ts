/**
 * train(envFactory, config): the local runner. Several envs step with the pure-TS policy (as
 * actors do), their segments fill a rollout buffer, and the trainer updates every nSteps samples.
 */
import type { PpoConfig } from './config.ts';
import type { Env, EnvFactory } from './envs/env.ts';
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
	env: Env;
	obs: Float32Array;
	episodeId: number;
	stepIndex: number;
	episodeReturn: number;
	seg: { obs: number[]; action: number[]; reward: number[]; logProb: number[]; value: number[] };
}

const emptySegment = () => ({ obs: [], action: [], reward: [], logProb: [], value: [] });

export function train(envFactory: EnvFactory, config: Partial<PpoConfig>, options: TrainOptions): { trainer: PpoTrainer; reports: TrainReport[] } {
	const envs = Array.from({ length: options.numEnvs }, (_, i) => envFactory(i));
	const { obsDim, actionDim, actionLow, actionHigh } = envs[0];
	const trainer = new PpoTrainer(obsDim, actionDim, config);
	const nSteps = trainer.config.nSteps;
	const buffer = new RolloutBuffer(obsDim, actionDim, nSteps);
	const seed = trainer.config.seed;
	const actionRng = new Rng(seed * 7919 + 1);
	let resets = 0;
	const recorders: Recorder[] = envs.map((env) => ({
		env,
		obs: env.reset(seed * 100_003 + resets++),
		episodeId: 0,
		stepIndex: 0,
		episodeReturn: 0,
		seg: emptySegment()
	}));
	const reports: TrainReport[] = [];
	let globalStep = 0;
	let episodes: EpisodeRecord[] = [];

	const flush = (r: Recorder, finalObs: Float32Array, terminated: boolean, truncated: boolean) => {
		if (r.seg.reward.length === 0) return;
		buffer.add({
			stream: String(envs.indexOf(r.env)),
			episodeId: r.episodeId,
			stepIndex: r.stepIndex - r.seg.reward.length,
			obs: Float32Array.from(r.seg.obs),
			action: Float32Array.from(r.seg.action),
			reward: Float32Array.from(r.seg.reward),
			logProb: Float32Array.from(r.seg.logProb),
			value: Float32Array.from(r.seg.value),
			policyVersion: trainer.counters.policyVersion,
			finalObs,
			terminated,
			truncated
		});
		r.seg = emptySegment();
	};

	const clipped = new Float32Array(actionDim);
	while (globalStep < options.totalSteps) {
		const policy = trainer.policy();
		buffer.clear();
		for (let t = 0; t < Math.ceil(nSteps / envs.length) && buffer.size + recorders.reduce((s, r) => s + r.seg.reward.length, 0) < nSteps; t++) {
			for (const r of recorders) {
				const { action, logProb, value } = policy.act(r.obs, actionRng);
				for (let i = 0; i < actionDim; i++) clipped[i] = Math.min(actionHigh[i], Math.max(actionLow[i], action[i]));
				const step = r.env.step(clipped);
				r.seg.obs.push(...r.obs);
				r.seg.action.push(...action);
				r.seg.reward.push(step.reward);
				r.seg.logProb.push(logProb);
				r.seg.value.push(value);
				r.stepIndex++;
				r.episodeReturn += step.reward;
				globalStep++;
				if (step.terminated || step.truncated) {
					flush(r, step.obs, step.terminated, step.truncated);
					episodes.push({ return: r.episodeReturn, length: r.stepIndex, step: globalStep });
					r.obs = r.env.reset(seed * 100_003 + resets++);
					r.episodeId++;
					r.stepIndex = 0;
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
