/**
 * PPO speed and learning. Speed: one full update (2048 samples, 10 epochs, minibatch 64, PPO loss,
 * Adam, grad clip) at obs 15 / action 3, per available backend and hidden size. Learning: median
 * over 5 seeds of CartPole-v1 steps until every episode of an update window scores 500, and of
 * Pendulum-v1's mean return over the last 20 episodes at 200 k steps. Settings: REFERENCE_CONFIGS.
 */
import { BACKEND_PREFERENCE, initBackend, tf, type BackendName } from '../src/lib/ppo/backend.ts';
import { CartPole } from '../src/lib/ppo/envs/cartpole.ts';
import { Pendulum } from '../src/lib/ppo/envs/pendulum.ts';
import { Rng } from '../src/lib/ppo/random.ts';
import { RolloutBuffer } from '../src/lib/ppo/rollout-buffer.ts';
import { REFERENCE_CONFIGS } from '../src/lib/ppo/reference-configs.ts';
import { train } from '../src/lib/ppo/train.ts';
import { PpoTrainer } from '../src/lib/ppo/trainer.ts';
import { round, type BenchResult } from './harness.ts';

const SEEDS = [1, 2, 3, 4, 5];
const CARTPOLE_BUDGET = 200_000;
const PENDULUM_STEPS = 200_000;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

/** PPO update throughput, samples × epochs per second (median of 3 updates), on the active backend. */
/** Update samples/s at 2 × `hidden` (2048 samples × 10 epochs, minibatch 64) on `threads` threads. */
export async function updateSpeed(hidden: number, threads = 1): Promise<number> {
	const trainer = new PpoTrainer(15, 3, { hiddenSizes: [hidden, hidden], nSteps: 2048, minibatchSize: 64, updateEpochs: 10 });
	await trainer.useThreads(threads);
	const rng = new Rng(1);
	const f = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
	const buffer = new RolloutBuffer(15, 3, 2048);
	const steps = { obs: f(2048 * 15), action: f(2048 * 3), reward: f(2048), logProb: f(2048).map((x) => x - 3), policyVersion: new Uint32Array(2048).fill(1) };
	buffer.add('s', { episodeId: 0, stepIndex: 0, length: 2048, finalObs: f(15), terminated: false, truncated: true }, steps);
	trainer.update(buffer); // warm-up
	const rates: number[] = [];
	for (let i = 0; i < 3; i++) rates.push(trainer.update(buffer)['charts/update_samples_per_sec']);
	if (trainer.threadsError) throw new Error(trainer.threadsError);
	trainer.dispose();
	return Math.round(median(rates));
}

function cartpoleStepsTo500(seed: number): number {
	let reached = Infinity;
	const { trainer } = train(
		() => new CartPole(),
		{ ...REFERENCE_CONFIGS.cartpole.config, seed },
		{
			numEnvs: REFERENCE_CONFIGS.cartpole.numEnvs,
			totalSteps: CARTPOLE_BUDGET,
			onUpdate: (r) => {
				if (r.episodes.length > 0 && r.episodes.every((e) => e.return >= 500)) reached = r.globalStep;
				return reached === Infinity;
			}
		}
	);
	trainer.dispose();
	return reached;
}

function pendulumReturn(seed: number): number {
	const returns: number[] = [];
	const { trainer } = train(
		() => new Pendulum(),
		{ ...REFERENCE_CONFIGS.pendulum.config, seed },
		{
			numEnvs: REFERENCE_CONFIGS.pendulum.numEnvs,
			totalSteps: PENDULUM_STEPS,
			onUpdate: (r) => void returns.push(...r.episodes.map((e) => e.return))
		}
	);
	trainer.dispose();
	const last = returns.slice(-20);
	return last.reduce((s, x) => s + x, 0) / last.length;
}

export async function run(): Promise<BenchResult> {
	const figures: Record<string, number | string> = {};
	const available: BackendName[] = [];
	for (const backend of BACKEND_PREFERENCE) {
		try {
			if ((await initBackend([backend])) === backend) available.push(backend);
		} catch {
			// not installed here (tfjs-node usually)
		}
	}
	for (const backend of available) {
		await initBackend([backend]);
		for (const hidden of [64, 256]) {
			const rate = await updateSpeed(hidden);
			figures[`updateSamplesPerSec_${backend}_2x${hidden}`] = rate;
			console.error(`  ${backend} 2×${hidden}: ${rate} samples/s`);
		}
	}
	const best = available[0];
	await initBackend([best]);
	figures.backend = tf.getBackend();
	figures.updateSamplesPerSec_2x64 = figures[`updateSamplesPerSec_${best}_2x64`];
	figures.updateSamplesPerSec_2x256 = figures[`updateSamplesPerSec_${best}_2x256`];

	const cartpole = SEEDS.map((seed) => {
		const steps = cartpoleStepsTo500(seed);
		console.error(`  CartPole seed ${seed}: ${steps} steps to 500`);
		return steps;
	});
	figures.cartpoleStepsTo500 = cartpole.map((s) => (Number.isFinite(s) ? s : 'never')).join(' ');
	figures.cartpoleMedianStepsTo500 = median(cartpole);
	const pendulum = SEEDS.map((seed) => {
		const ret = pendulumReturn(seed);
		console.error(`  Pendulum seed ${seed}: return ${ret.toFixed(1)} at ${PENDULUM_STEPS} steps`);
		return ret;
	});
	figures.pendulumReturnsAt200k = pendulum.map((r) => r.toFixed(0)).join(' ');
	figures.pendulumMedianReturnAt200k = round(median(pendulum), 1);
	return {
		name: 'ppo',
		figures,
		targets: [
			{ key: 'updateSamplesPerSec_2x64', op: '>=', value: 30_000 },
			{ key: 'updateSamplesPerSec_2x256', op: '>=', value: 4_500 },
			{ key: 'cartpoleMedianStepsTo500', op: '<=', value: 100_000 },
			{ key: 'pendulumMedianReturnAt200k', op: '>=', value: -200 }
		]
	};
}
