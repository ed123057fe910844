/**
 * SAC speed and learning. Speed: gradient steps per second at batch 256, obs 15 / action 3, for
 * hidden 2×64 and 2×256 on the wasm backend (the whole step: critics, delayed actor, α, targets).
 * Learning (SAC_REFERENCE_CONFIGS): Pendulum-v1's deterministic return after 20 k env steps,
 * median of 5 seeds, and the continuous CartPole's env steps until 5 deterministic episodes all
 * score 500. Seeds run as child processes, SAC_BENCH_PARALLEL (default: the core count) at a time.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { initBackend } from '../src/lib/ppo/backend.ts';
import { Rng } from '../src/lib/ppo/random.ts';
import { SacTrainer } from '../src/lib/sac/trainer.ts';
import { round, type BenchResult } from './harness.ts';

const SEEDS = [1, 2, 3, 4, 5];
const PARALLEL = Number(process.env.SAC_BENCH_PARALLEL ?? availableParallelism());
const SPEED_SECONDS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** SAC gradient steps per second at batch 256 (obs 15, action 3) over SPEED_SECONDS, on the active backend. */
export function gradStepsPerSec(hidden: number): number {
	const t = new SacTrainer(15, 3, [-1, 0, 0], [1, 1, 1], { hiddenSizes: [hidden, hidden], learningStarts: 0, bufferSize: 10_000 });
	const rng = new Rng(1);
	const f = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
	const n = 5000;
	const segment = { episodeId: 0, stepIndex: 0, length: n, finalObs: f(15), terminated: false, truncated: true, stream: 'a', start: 0 };
	t.add({
		n,
		obsDim: 15,
		actionDim: 3,
		obs: f(n * 15),
		action: f(n * 3),
		reward: f(n),
		logProb: f(n),
		policyVersion: new Uint32Array(n).fill(1),
		segments: [segment]
	});
	for (let i = 0; i < 10; i++) t.step(); // warm-up
	const started = performance.now();
	let steps = 0;
	while (performance.now() - started < SPEED_SECONDS * 1000) {
		t.step();
		steps++;
	}
	const rate = (steps * 1000) / (performance.now() - started);
	t.dispose();
	return rate;
}

function task(name: string, seed: number): Promise<Record<string, number>> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', new URL('./sac-task.ts', import.meta.url).pathname, name, String(seed)], {
			stdio: ['ignore', 'pipe', 'inherit']
		});
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`${name} seed ${seed} exited ${code}`))));
	});
}

async function pool<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
	const results: T[] = new Array(jobs.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(PARALLEL, jobs.length) }, async () => {
			while (next < jobs.length) {
				const i = next++;
				results[i] = await jobs[i]();
			}
		})
	);
	return results;
}

export async function run(): Promise<BenchResult> {
	await initBackend(['wasm']);
	const figures: Record<string, number | string> = { backend: 'wasm', threads: 1 };
	for (const hidden of [64, 256]) {
		const rate = gradStepsPerSec(hidden);
		figures[`gradStepsPerSec_2x${hidden}`] = round(rate, 1);
		console.error(`  2×${hidden}: ${rate.toFixed(1)} gradient steps/s (batch 256)`);
	}
	const jobs = [...SEEDS.map((seed) => () => task('pendulum', seed)), ...SEEDS.map((seed) => () => task('cartpole', seed))];
	const started = performance.now();
	const results = await pool(
		jobs.map((job) => async () => {
			const r = await job();
			console.error(`  ${JSON.stringify(r)}`);
			return r;
		})
	);
	const pendulum = results.filter((r) => 'return' in r).map((r) => r.return);
	const cartpole = results.filter((r) => 'stepsTo500' in r).map((r) => r.stepsTo500 ?? Infinity); // JSON has no Infinity: null = never
	figures.pendulumReturnsAt20k = pendulum.map((r) => r.toFixed(0)).join(' ');
	figures.pendulumMedianReturnAt20k = round(median(pendulum), 1);
	figures.cartpoleStepsTo500 = cartpole.map((s) => (Number.isFinite(s) ? s : 'never')).join(' ');
	figures.cartpoleMedianStepsTo500 = Number.isFinite(median(cartpole)) ? median(cartpole) : 'never';
	figures.learningSeconds = round((performance.now() - started) / 1000, 0);
	figures.parallel = PARALLEL;
	return {
		name: 'sac',
		figures,
		targets: [{ key: 'pendulumMedianReturnAt20k', op: '>=', value: -200 }]
	};
}
