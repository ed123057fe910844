/** Diagonal Gaussian policy math shared by the tfjs loss and the pure-TS forward pass. */
export const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** Entropy of a unit-variance normal per dimension, minus log σ: 0.5 + 0.5·log(2π). */
export const ENTROPY_CONST = 0.5 + LOG_SQRT_2PI;

export function gaussianLogProb(action: ArrayLike<number>, mean: ArrayLike<number>, logStd: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < mean.length; i++) {
		const z = (action[i] - mean[i]) / Math.exp(logStd[i]);
		sum += -0.5 * z * z - logStd[i] - LOG_SQRT_2PI;
	}
	return sum;
}

export function gaussianEntropy(logStd: ArrayLike<number>): number {
	let sum = 0;
	for (let i = 0; i < logStd.length; i++) sum += logStd[i] + ENTROPY_CONST;
	return sum;
}
