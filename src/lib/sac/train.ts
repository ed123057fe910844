/**
 * trainSac(envFactory, config): SAC's local runner (CleanRL's loop). Envs step with the pure-TS
 * policy as actors do — uniformly random actions until `learningStarts` transitions are in the
 * buffer, as CleanRL — their steps reach the replay buffer in short segments, and the trainer
 * takes the gradient steps the update-to-data ratio owes after each.
 */
import type { Env, EnvFactory } from '../ppo/envs/env.ts';
import { Rng } from '../ppo/random.ts';
import type { ActorPolicy } from '../policy/index.ts';
import { SegmentRecorder, type StreamSegment, type StepBlock } from '../transitions/index.ts';
import type { SacConfig } from './config.ts';
import { MetricMeans } from './metric-means.ts';
import { SacTrainer } from './trainer.ts';
import type { SacStepMetrics } from './update.ts';

export interface SacTrainOptions {
	numEnvs: number;
	totalSteps: number;
	/** Env steps per env between flushes into the replay buffer (n-step windows stop at a flush). */
	flushEvery?: number;
	/** Called every `reportEvery` env steps; return false to stop. */
	onReport?: (report: SacTrainReport, trainer: SacTrainer) => void | boolean;
	reportEvery?: number;
	/** Actions before learning starts: uniformly random (CleanRL, the default) or the untrained policy's (as networked actors). */
	warmup?: 'uniform' | 'policy';
}

export interface SacTrainReport {
	globalStep: number;
	/** Returns of the episodes finished since the last report. */
	episodes: number[];
	/** Mean metrics of the gradient steps since the last report (absent before learning starts). */
	metrics: Partial<SacStepMetrics>;
	rejected: string[];
}

interface Stream {
	env: Env;
	obs: Float32Array;
	episodeReturn: number;
	segment: SegmentRecorder;
}

export function trainSac(envFactory: EnvFactory, config: Partial<SacConfig>, options: SacTrainOptions): { trainer: SacTrainer } {
	const envs = Array.from({ length: options.numEnvs }, (_, i) => envFactory(i));
	const { obsDim, actionDim, actionLow, actionHigh } = envs[0];
	const trainer = new SacTrainer(obsDim, actionDim, actionLow, actionHigh, config);
	const flushEvery = options.flushEvery ?? 32;
	const reportEvery = options.reportEvery ?? 1000;
	const seed = trainer.config.seed;
	const actionRng = new Rng(seed * 7919 + 1);
	let resets = 0;
	const streams: Stream[] = envs.map((env) => ({
		env,
		obs: env.reset(seed * 100_003 + resets++),
		episodeReturn: 0,
		segment: new SegmentRecorder({ obsDim, actionDim }, flushEvery)
	}));
	let policy: ActorPolicy = trainer.policy();
	let episodes: number[] = [];
	let rejected: string[] = [];
	const means = new MetricMeans();
	const random = new Float32Array(actionDim);

	const flush = (s: Stream, index: number, finalObs: Float32Array, terminated: boolean, truncated: boolean) => {
		const block = s.segment.flush(finalObs, terminated, truncated);
		if (block) trainer.add(asRollout(block, String(index)));
	};
	const train = () => {
		for (let k = trainer.owed(); k > 0; k--) {
			const outcome = trainer.step();
			if ('rejected' in outcome) {
				rejected.push(outcome.rejected);
				continue;
			}
			means.add(outcome.metrics);
			if (trainer.publishDue && 'ok' in trainer.publish()) policy = trainer.policy();
		}
	};

	for (let globalStep = 0; globalStep < options.totalSteps;) {
		for (const [index, s] of streams.entries()) {
			let action: Float32Array;
			if (trainer.learning || options.warmup === 'policy') action = policy.act(s.obs, actionRng).action;
			else {
				for (let i = 0; i < actionDim; i++) random[i] = actionLow[i] + (actionHigh[i] - actionLow[i]) * actionRng.next();
				action = random;
			}
			const step = s.env.step(action);
			s.segment.push({ obs: s.obs, action, reward: step.reward, logProb: 0, policyVersion: trainer.counters.policyVersion });
			s.episodeReturn += step.reward;
			globalStep++;
			if (step.terminated || step.truncated) {
				flush(s, index, step.obs, step.terminated, step.truncated);
				episodes.push(s.episodeReturn);
				s.obs = s.env.reset(seed * 100_003 + resets++);
				s.segment.nextEpisode();
				s.episodeReturn = 0;
			} else {
				s.obs = step.obs;
				if (s.segment.full) flush(s, index, s.obs, false, false);
			}
			if (globalStep % reportEvery === 0 || globalStep >= options.totalSteps) {
				train();
				const metrics: Partial<SacStepMetrics> = means.take();
				const report: SacTrainReport = { globalStep, episodes, metrics, rejected };
				episodes = [];
				rejected = [];
				if (options.onReport?.(report, trainer) === false || globalStep >= options.totalSteps) return { trainer };
			}
		}
		train();
	}
	return { trainer };
}

function asRollout(block: StepBlock, stream: string): StepBlock<StreamSegment> {
	return { ...block, segments: block.segments.map((segment) => ({ ...segment, stream, start: 0 })) };
}

/** Mean return of `episodes` deterministic (mean-action) episodes of fresh envs. */
export function evaluate(policy: ActorPolicy, envFactory: EnvFactory, episodes: number, seed: number): number {
	let total = 0;
	for (let e = 0; e < episodes; e++) {
		const env = envFactory(e);
		let obs = env.reset(seed + e);
		for (;;) {
			const step = env.step(policy.mean(obs));
			total += step.reward;
			if (step.terminated || step.truncated) break;
			obs = step.obs;
		}
	}
	return total / episodes;
}
