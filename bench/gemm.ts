/**
 * The matrix-multiply ceiling under the trainer ratios: GFLOP/s of one [m×k]·[k×n] product on the
 * tfjs backend in use, and of torch.mm on one thread in the same run. PPO at 2×256 and SAC at
 * 2×256 spend most of a step in products of these shapes, so this ratio bounds what any
 * arrangement of kernels can reach on that backend.
 */
import { execFileSync } from 'node:child_process';
import { tf } from '../src/lib/ppo/backend.ts';
import { throughput } from './harness.ts';

/** GFLOP/s of tf.matMul at [m×k]·[k×n] (2·m·k·n flops a product), results read back each time. */
export function tfjsGemmGflops(m: number, k: number, n: number): number {
	const a = tf.randomNormal([m, k]);
	const b = tf.randomNormal([k, n]);
	const perSec = throughput(() => {
		const c = tf.matMul(a, b);
		c.dataSync();
		c.dispose();
	}, 1000);
	a.dispose();
	b.dispose();
	return (perSec * 2 * m * k * n) / 1e9;
}

const TORCH_GEMM = `
import sys, time, torch
torch.set_num_threads(1)
m, k, n = map(int, sys.argv[1:4])
a, b = torch.randn(m, k), torch.randn(k, n)
for _ in range(200): torch.mm(a, b)
calls, start = 0, time.perf_counter()
while time.perf_counter() - start < 1.0:
    torch.mm(a, b); calls += 1
print(f"gflops={calls * 2 * m * k * n / (time.perf_counter() - start) / 1e9}")
`;

/** The same product in PyTorch on one thread (its BLAS: OpenBLAS with Debian's packages). */
export function torchGemmGflops(python: string, m: number, k: number, n: number): number {
	const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };
	const out = execFileSync(python, ['-c', TORCH_GEMM, String(m), String(k), String(n)], { encoding: 'utf8', env });
	const match = /gflops=([0-9.]+)/.exec(out);
	if (!match) throw new Error(`torch gemm printed no figure: ${out}`);
	return Number(match[1]);
}
