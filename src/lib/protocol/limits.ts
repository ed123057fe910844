/**
 * Every size a peer controls, as a named limit with a default. Decoders take a `Limits` and check
 * a size before they read or allocate what it describes.
 */
export interface Limits {
	/** Largest frame accepted on the wire (header + possibly compressed payload). */
	maxFrameBytes: number;
	/** Largest payload a frame may declare, i.e. the size after decompression. */
	maxDecompressedBytes: number;
	/** Steps in one TRANSITION_BATCH, frames in one TELEMETRY_BATCH. */
	maxBatchSteps: number;
	/** Trajectory segments in one TRANSITION_BATCH. */
	maxSegments: number;
	/** Observation dimensions. */
	maxObsDim: number;
	/** Action dimensions. */
	maxActionDim: number;
	/** Actions in one CONTROL_BATCH chunk. */
	maxControlChunk: number;
	/** Floats in one WEIGHTS_UPDATE buffer. */
	maxWeightFloats: number;
	/** Tensors named in one weights manifest. */
	maxTensors: number;
	/** UTF-8 characters in any string field (names, tokens, messages). */
	maxStringLength: number;
	/** Entries in any list field that is not a column (names, lap times, …). */
	maxListLength: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
	maxFrameBytes: 8 * 1024 * 1024,
	maxDecompressedBytes: 32 * 1024 * 1024,
	maxBatchSteps: 8192,
	maxSegments: 512,
	maxObsDim: 512,
	maxActionDim: 16,
	maxControlChunk: 512,
	maxWeightFloats: 4 * 1024 * 1024,
	maxTensors: 64,
	maxStringLength: 256,
	maxListLength: 1024
});

export function resolveLimits(overrides?: Partial<Limits>): Limits {
	const limits = { ...DEFAULT_LIMITS, ...overrides };
	for (const [name, value] of Object.entries(limits)) {
		if (!Number.isSafeInteger(value) || value <= 0) {
			throw new RangeError(`limit ${name} must be a positive integer, got ${value}`);
		}
	}
	return limits;
}
