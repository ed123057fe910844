/**
 * A real AC fleet's conditions: REALTIME_ACTORS (default 4) simulated agents at real time (time
 * scale 1, nobody waits for anybody) and REALTIME_HZ (default 25) control steps a second, for
 * REALTIME_MINUTES (default 15) with the main job's algorithm (REALTIME_ALGO to pick another;
 * REALTIME_SAC / REALTIME_PPO add JSON settings, REALTIME_REWARD the agents' --reward JSON).
 * Every REALTIME_EVAL_EVERY_SEC (60) one actor drives a deterministic (mean-action) episode, its
 * laps reported apart (lap-watch.ts). Reports wall minutes to the first clean lap, the best clean lap over time and against the
 * track's limit lap, env steps and updates.
 */
import { Track } from '../bridge-agent/src/driving/track.ts';
import { limitLap } from '../bridge-agent/src/sim/limit-lap.ts';
import { DEFAULT_LEARNER_OPTIONS } from '../src/lib/server/config.ts';
import { simReward } from '../src/lib/server/sim-actors.ts';
import { round, type BenchResult } from './harness.ts';
import { watchLaps } from './lap-watch.ts';

const ACTORS = Number(process.env.REALTIME_ACTORS ?? 4);
const HZ = Number(process.env.REALTIME_HZ ?? 25);
const MINUTES = Number(process.env.REALTIME_MINUTES ?? 15);
const TRACK = process.env.REALTIME_TRACK ?? 'mixed';
const ALGO = (process.env.REALTIME_ALGO ?? DEFAULT_LEARNER_OPTIONS.algo) as 'ppo' | 'sac';
const EXTRA = { ppo: JSON.parse(process.env.REALTIME_PPO ?? '{}'), sac: JSON.parse(process.env.REALTIME_SAC ?? '{}') };
const REWARD = process.env.REALTIME_REWARD ? JSON.parse(process.env.REALTIME_REWARD) : undefined;
/** One actor drives a deterministic evaluation episode this often (0: never). */
const EVAL_EVERY_SEC = Number(process.env.REALTIME_EVAL_EVERY_SEC ?? 60) || undefined;

export async function run(): Promise<BenchResult> {
	const limitLapSec = limitLap(Track.named(TRACK)).lapSec;
	const o = await watchLaps(
		{ name: `realtime-${ALGO}`, actors: ACTORS, track: TRACK, algo: ALGO, ppo: EXTRA.ppo, sac: EXTRA.sac, timeScale: 1, controlHz: HZ, reward: REWARD },
		MINUTES * 60,
		{ evaluateEverySec: EVAL_EVERY_SEC }
	);
	const minutes = (sec: number | null) => (sec === null ? 'none' : round(sec / 60, 2));
	return {
		name: 'realtime',
		figures: {
			algo: ALGO,
			track: TRACK,
			actors: ACTORS,
			controlHz: HZ,
			reward: JSON.stringify(REWARD ?? simReward(ALGO) ?? 'agent defaults'),
			minutes: MINUTES,
			limitLapSec: round(limitLapSec, 2),
			firstCleanLapMin: minutes(o.firstCleanLapSec),
			stepsToFirstCleanLap: o.stepsToFirstCleanLap ?? 'none',
			bestLapSec: o.bestLapSec === null ? 'none' : round(o.bestLapSec, 2),
			bestLapOverLimit: o.bestLapSec === null ? 'none' : round(o.bestLapSec / limitLapSec, 3),
			bestLapOverTime: o.overTime,
			bestEvalLapSec: o.bestEvalLapSec === null ? 'none' : round(o.bestEvalLapSec, 2),
			bestEvalLapOverLimit: o.bestEvalLapSec === null ? 'none' : round(o.bestEvalLapSec / limitLapSec, 3),
			evalLapOverTime: o.evalOverTime,
			evalEpisodes: o.evalEpisodes,
			envSteps: o.envSteps,
			samplesPerSec: Math.round(o.samplesPerSec),
			updates: o.updates
		},
		targets: [{ key: 'firstCleanLapMin', op: '<=', value: 10 }]
	};
}
