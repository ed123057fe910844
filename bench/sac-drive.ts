/**
 * SAC learning to drive in one process, with no network in between: trainSac over
 * SACDRIVE_ENVS (default 4) SimDrivingEnvs — the agent's own Driving loop: the same car,
 * observation, smoothing, reward and episode ends — on SACDRIVE_TRACK (mixed) at SACDRIVE_HZ
 * (20, the agent's default; the realtime bench drives at 25) with the
 * settings a networked SAC run gets (the driving preset through sacConfigFor, SAC_DRIVING_REWARD,
 * random starts, the untrained policy's actions before learning starts, as actors drive). Stops
 * at SACDRIVE_STEPS env steps (default 150 k) or SACDRIVE_SECONDS. Reports env steps to the first
 * clean lap (to the report's 1 k), the best clean lap (s) at marks and the return every 10 k steps: the yardstick the
 * learn benchmark's networked fleet is compared with (same settings, in env steps).
 */
import { driveSpecs } from '../bridge-agent/src/rl/spaces.ts';
import { SimDrivingEnv } from '../bridge-agent/src/rl/sim-env.ts';
import { initBackend } from '../src/lib/ppo/backend.ts';
import { trainSac } from '../src/lib/sac/train.ts';
import { SAC_DRIVING_REWARD, sacConfigFor } from '../src/lib/sac/presets.ts';
import { round, type BenchResult } from './harness.ts';

const ENVS = Number(process.env.SACDRIVE_ENVS ?? 4);
const TRACK = process.env.SACDRIVE_TRACK ?? 'mixed';
const STEPS = Number(process.env.SACDRIVE_STEPS ?? 150_000);
const SECONDS = Number(process.env.SACDRIVE_SECONDS ?? 1800);
const SEED = Number(process.env.SACDRIVE_SEED ?? 1);
const HZ = Number(process.env.SACDRIVE_HZ ?? 20);
const EXTRA = JSON.parse(process.env.SACDRIVE_SAC ?? '{}');
const MARKS = [50_000, 100_000, 150_000];

export async function run(): Promise<BenchResult> {
	await initBackend(['wasm']);
	const { obsSpec, actionSpec } = driveSpecs();
	const made = sacConfigFor({ seed: SEED, ...EXTRA }, obsSpec, actionSpec, HZ);
	if ('error' in made) throw new Error(made.error);
	const envs: SimDrivingEnv[] = [];
	const factory = (i: number) => {
		const env = new SimDrivingEnv({
			track: TRACK,
			seed: SEED * 1000 + i + 1,
			controlHz: HZ,
			smoothing: 'moderate',
			start: 'random',
			reward: SAC_DRIVING_REWARD
		});
		envs.push(env);
		return env;
	};
	const started = performance.now();
	const first = { steps: 0, sec: 0 };
	let best = Infinity;
	const bestAt: Record<number, number | null> = {};
	const returns: string[] = [];
	let window: number[] = [];
	const seen = new WeakSet<object>();
	let updates = 0;
	trainSac(factory, made.config, {
		numEnvs: ENVS,
		totalSteps: STEPS,
		warmup: 'policy',
		reportEvery: 1000,
		onReport: (report, trainer) => {
			updates = trainer.counters.updates;
			window.push(...report.episodes);
			for (const env of envs) {
				// `last` is replaced at each episode end: a new object is a finished episode.
				if (seen.has(env.last)) continue;
				for (const lap of env.last.cleanLaps) {
					if (!first.steps) Object.assign(first, { steps: report.globalStep, sec: (performance.now() - started) / 1000 });
					best = Math.min(best, lap / 1000);
				}
				seen.add(env.last);
			}
			for (const mark of MARKS) if (report.globalStep === mark) bestAt[mark] = Number.isFinite(best) ? best : null;
			if (report.globalStep % 10_000 === 0) {
				const mean = window.length ? window.reduce((a, b) => a + b, 0) / window.length : NaN;
				returns.push(`${report.globalStep / 1000}k:${Number.isFinite(mean) ? mean.toFixed(1) : '–'}`);
				console.error(
					`  sac-drive ${report.globalStep} steps, ${updates} updates, return ${mean.toFixed(1)}, best clean lap ${Number.isFinite(best) ? best.toFixed(2) : '–'} s`
				);
				window = [];
			}
			return (performance.now() - started) / 1000 < SECONDS;
		}
	});
	const f = (x: number | null | undefined, digits = 2) => (x == null ? 'none' : round(x, digits));
	const figures: Record<string, number | string> = {
		track: TRACK,
		envs: ENVS,
		controlHz: HZ,
		seed: SEED,
		settings: JSON.stringify(made.config),
		stepsToFirstCleanLap: first.steps || 'none',
		firstCleanLapWallSec: first.steps ? round(first.sec, 1) : 'none',
		bestLapSec: f(Number.isFinite(best) ? best : null),
		...Object.fromEntries(MARKS.map((m) => [`bestLapAt${m / 1000}k`, f(bestAt[m])])),
		returnBy10k: returns.join(' '),
		updates,
		wallSec: round((performance.now() - started) / 1000, 0)
	};
	return { name: 'sac-drive', figures, targets: [] };
}
