/** Small shared helpers for benchmarks: timing loops and percentiles. */

/** Runs `fn` repeatedly for at least `minMs` (after a warm-up) and returns calls per second. */
export function throughput(fn: () => void, minMs = 1000): number {
	const warmUntil = performance.now() + minMs / 4;
	while (performance.now() < warmUntil) fn();
	let calls = 0;
	const start = performance.now();
	let now = start;
	while (now - start < minMs) {
		fn();
		calls++;
		now = performance.now();
	}
	return (calls * 1000) / (now - start);
}

export function percentile(sorted: ArrayLike<number>, q: number): number {
	if (sorted.length === 0) return NaN;
	const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
	return sorted[index];
}

export function round(value: number, digits = 2): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

/** A figure with its target, as the summary table shows it. */
export interface Target {
	key: string;
	op: '<=' | '>=' | '==';
	value: number;
}

export interface BenchResult {
	name: string;
	figures: Record<string, number | string>;
	targets: Target[];
}

export function meets(figure: number | string | undefined, target: Target): boolean {
	if (typeof figure !== 'number') return false;
	return target.op === '<=' ? figure <= target.value : target.op === '>=' ? figure >= target.value : figure === target.value;
}
