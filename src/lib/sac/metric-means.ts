/**
 * Means of the gradient steps' metrics over a stretch of steps (one policy version, one report):
 * NaN figures (an actor metric on a critic-only step) are left out of their key's mean.
 */
export class MetricMeans {
	private readonly sums = new Map<string, { sum: number; n: number }>();

	add<T extends { [K in keyof T]: number }>(metrics: T): void {
		for (const [key, value] of Object.entries<number>(metrics)) {
			if (Number.isNaN(value)) continue;
			const acc = this.sums.get(key) ?? { sum: 0, n: 0 };
			acc.sum += value;
			acc.n++;
			this.sums.set(key, acc);
		}
	}

	/** The means so far, and a fresh start. */
	take(): Record<string, number> {
		const means = Object.fromEntries([...this.sums].map(([key, { sum, n }]) => [key, sum / n]));
		this.sums.clear();
		return means;
	}

	clear(): void {
		this.sums.clear();
	}
}
