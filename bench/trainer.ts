/**
 * Trainer throughput against the PyTorch peer, measured in the same run: PPO update samples/s
 * (2048 samples × 10 epochs, minibatch 64) and SAC gradient steps/s (batch 256) at hidden 2×64
 * and 2×256, obs 15 / action 3, one thread, on the wasm backend (TRAINER_BACKEND chooses another); the peer scripts
 * (../shared/peers/torch_*_step.py, or TRAINER_PEERS) on one thread when `python3 -c 'import
 * torch'` works, else skipped with the command that installs them. Prints each ratio, and PPO's
 * data-parallel throughput on max(2, cores) threads against its own one-thread figure, and the
 * matMul ceiling (bench/gemm.ts) that bounds the 2×256 ratios.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { initBackend, type BackendName } from '../src/lib/ppo/backend.ts';
import { tfjsGemmGflops, torchGemmGflops } from './gemm.ts';
import { round, type BenchResult } from './harness.ts';
import { updateSpeed } from './ppo.ts';
import { gradStepsPerSec } from './sac.ts';

const PEERS = process.env.TRAINER_PEERS ?? resolve(import.meta.dirname, '../../shared/peers');
const PYTHON = process.env.TRAINER_PYTHON ?? '/usr/bin/python3';

function torchAvailable(): boolean {
	try {
		execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

/** Runs a peer script and reads `key=<number>` from its output. */
function peer(script: string, args: string[], key: string): number {
	const out = execFileSync(PYTHON, [resolve(PEERS, script), ...args], { encoding: 'utf8' });
	const match = new RegExp(`${key}=([0-9.]+)`).exec(out);
	if (!match) throw new Error(`${script} printed no ${key}: ${out}`);
	return Number(match[1]);
}

export async function run(): Promise<BenchResult> {
	// TRAINER_BACKEND=tensorflow measures tfjs-node where it is installed.
	const backend = await initBackend([(process.env.TRAINER_BACKEND ?? 'wasm') as BackendName]);
	const figures: Record<string, number | string> = {
		backend,
		threads: 1,
		cores: availableParallelism(),
		scalingThreads: Math.max(2, availableParallelism())
	};
	const torch = torchAvailable();
	if (!torch) console.error(`  PyTorch peer skipped: ${PYTHON} cannot import torch (as root: apt-get install -y python3-torch libopenblas0-pthread)`);
	const cores = availableParallelism();
	const threads = Math.max(2, cores);
	for (const hidden of [64, 256]) {
		const ppo = await updateSpeed(hidden);
		const sac = gradStepsPerSec(hidden);
		figures[`ppoSamplesPerSec_2x${hidden}`] = ppo;
		figures[`sacGradStepsPerSec_2x${hidden}`] = round(sac, 1);
		console.error(`  pitwall 2×${hidden}: PPO ${ppo} samples/s, SAC ${sac.toFixed(1)} gradient steps/s`);
		// Data-parallel PPO (minibatch rows across worker threads, one Adam step): N threads against one.
		const ppoN = await updateSpeed(hidden, threads);
		figures[`ppoSamplesPerSec_2x${hidden}_${threads}threads`] = ppoN;
		figures[`ppoScaling${hidden}`] = round(ppoN / ppo, 2);
		console.error(
			`  pitwall 2×${hidden} on ${threads} threads: PPO ${ppoN} samples/s (${(ppoN / ppo).toFixed(2)}× one thread; target ≥ ${(0.8 * threads).toFixed(1)})`
		);
		if (!torch) continue;
		const torchPpo = peer('torch_ppo_step.py', [String(hidden), '1'], 'samplesPerS');
		const torchSac = peer('torch_sac_step.py', [String(hidden), '1'], 'gradStepsPerS');
		figures[`torchPpoSamplesPerSec_2x${hidden}`] = torchPpo;
		figures[`torchSacGradStepsPerSec_2x${hidden}`] = torchSac;
		figures[`ppoRatio${hidden}`] = round(ppo / torchPpo, 2);
		figures[`sacRatio${hidden}`] = round(sac / torchSac, 2);
		console.error(`  PyTorch 2×${hidden}: PPO ${torchPpo} samples/s, SAC ${torchSac} gradient steps/s`);
	}
	// The ceiling under the 2×256 ratios: one product of a PPO minibatch's shape, both sides on one thread.
	const gemm = tfjsGemmGflops(64, 256, 256);
	figures.gemmGflops_64x256x256 = round(gemm, 1);
	console.error(`  matMul [64×256]·[256×256]: ${backend} ${gemm.toFixed(1)} GFLOP/s`);
	if (torch) {
		const torchGemm = torchGemmGflops(PYTHON, 64, 256, 256);
		figures.torchGemmGflops_64x256x256 = round(torchGemm, 1);
		figures.gemmRatio = round(gemm / torchGemm, 2);
		console.error(`  torch.mm same shape: ${torchGemm.toFixed(1)} GFLOP/s (ratio ${(gemm / torchGemm).toFixed(2)}: the most a matMul-bound step can reach)`);
	}
	if (!torch) for (const key of ['ppoRatio64', 'ppoRatio256', 'sacRatio64', 'sacRatio256']) figures[key] = 'no peer';
	return {
		name: 'trainer',
		figures,
		targets: [
			...['ppoRatio64', 'ppoRatio256', 'sacRatio64', 'sacRatio256'].map((key) => ({ key, op: '>=' as const, value: 1 })),
			{ key: 'ppoScaling256', op: '>=' as const, value: round(0.8 * threads, 2) }
		]
	};
}
