/**
 * It learns to drive, PPO against SAC: for each algorithm of LEARN_ALGOS (default "ppo,sac"), the
 * learner plus LEARN_ACTORS (default 4) simulated agents as real processes at full speed on
 * LEARN_TRACK (default mixed) for LEARN_SECONDS each (default 600). SAC's agents are paced per
 * policy version, so its update-to-data ratio holds. Reports per algorithm: env steps and wall
 * seconds to the first clean lap (no tyre off the track), the best clean lap at 100 k and 300 k
 * env steps and over time, the best lap against the track's limit lap, samples/s and gradient
 * steps. Every LEARN_EVAL_EVERY_SEC (30) one actor drives a deterministic (mean-action)
 * episode, whose laps are reported apart (lap-watch.ts). LEARN_SEED picks another run; LEARN_SAC / LEARN_PPO add JSON settings. Each algorithm's
 * agents drive with the main job's reward for it (simReward: SAC's is SAC_DRIVING_REWARD);
 * LEARN_REWARD (--reward JSON) sets one for both.
 */
import { Track } from '../bridge-agent/src/driving/track.ts';
import { limitLap } from '../bridge-agent/src/sim/limit-lap.ts';
import { DEFAULT_LEARNER_OPTIONS } from '../src/lib/server/config.ts';
import { simReward } from '../src/lib/server/sim-actors.ts';
import { round, type BenchResult } from './harness.ts';
import { watchLaps, type LapOutcome } from './lap-watch.ts';

const ACTORS = Number(process.env.LEARN_ACTORS ?? 4);
const TRACK = process.env.LEARN_TRACK ?? 'mixed';
const LIMIT_SEC = Number(process.env.LEARN_SECONDS ?? 600);
const ALGOS = (process.env.LEARN_ALGOS ?? 'ppo,sac').split(',') as ('ppo' | 'sac')[];
/** The learner's seed (weight initialisation, sampling): another value, another run. */
const SEED = Number(process.env.LEARN_SEED ?? 1);
const EXTRA = { ppo: JSON.parse(process.env.LEARN_PPO ?? '{}'), sac: JSON.parse(process.env.LEARN_SAC ?? '{}') };
const REWARD = process.env.LEARN_REWARD ? JSON.parse(process.env.LEARN_REWARD) : undefined;
const MARKS = [100_000, 300_000];
/** One actor drives a deterministic evaluation episode this often (0: never). */
const EVAL_EVERY_SEC = Number(process.env.LEARN_EVAL_EVERY_SEC ?? 30) || undefined;

export async function run(): Promise<BenchResult> {
	const limitLapSec = limitLap(Track.named(TRACK)).lapSec;
	const figures: Record<string, number | string> = {
		track: TRACK,
		actors: ACTORS,
		seed: SEED,
		seconds: LIMIT_SEC,
		reward: REWARD ? JSON.stringify(REWARD) : 'per algorithm',
		limitLapSec: round(limitLapSec, 2)
	};
	const results: Partial<Record<'ppo' | 'sac', LapOutcome>> = {};
	for (const algo of ALGOS) {
		const o = (results[algo] = await watchLaps(
			{ name: `learn-${algo}`, actors: ACTORS, track: TRACK, algo, ppo: { seed: SEED, ...EXTRA.ppo }, sac: { seed: SEED, ...EXTRA.sac }, reward: REWARD },
			LIMIT_SEC,
			{ marks: MARKS, evaluateEverySec: EVAL_EVERY_SEC }
		));
		const f = (x: number | null, digits = 1) => (x === null ? 'none' : round(x, digits));
		Object.assign(figures, {
			[`${algo}Reward`]: JSON.stringify(REWARD ?? simReward(algo) ?? 'agent defaults'),
			[`${algo}FirstCleanLapSec`]: f(o.firstCleanLapSec),
			[`${algo}StepsToFirstCleanLap`]: f(o.stepsToFirstCleanLap, 0),
			[`${algo}BestLapSec`]: f(o.bestLapSec, 2),
			[`${algo}BestLapOverLimit`]: o.bestLapSec === null ? 'none' : round(o.bestLapSec / limitLapSec, 3),
			[`${algo}BestLapAt100k`]: f(o.bestAt[100_000], 2),
			[`${algo}BestLapAt300k`]: f(o.bestAt[300_000], 2),
			[`${algo}BestLapOverTime`]: o.overTime,
			[`${algo}BestEvalLapSec`]: f(o.bestEvalLapSec, 2),
			[`${algo}BestEvalLapOverLimit`]: o.bestEvalLapSec === null ? 'none' : round(o.bestEvalLapSec / limitLapSec, 3),
			[`${algo}EvalLapOverTime`]: o.evalOverTime,
			[`${algo}EvalEpisodes`]: o.evalEpisodes,
			[`${algo}SamplesPerSec`]: Math.round(o.samplesPerSec),
			[`${algo}EnvSteps`]: o.envSteps,
			[`${algo}Updates`]: o.updates
		});
	}
	const ppo = results.ppo?.stepsToFirstCleanLap;
	const sac = results.sac?.stepsToFirstCleanLap;
	if (ppo && sac) figures.sacOverPpoSteps = round(sac / ppo, 3);
	const main = results[DEFAULT_LEARNER_OPTIONS.algo];
	figures.defaultAlgo = DEFAULT_LEARNER_OPTIONS.algo;
	figures.firstCleanLapSec = main?.firstCleanLapSec == null ? 'none' : round(main.firstCleanLapSec, 1);
	return {
		name: 'learn',
		figures,
		targets: [{ key: 'firstCleanLapSec', op: '<=', value: 600 }, ...(ppo && sac ? [{ key: 'sacOverPpoSteps', op: '<=' as const, value: 0.2 }] : [])]
	};
}
