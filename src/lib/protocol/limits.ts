/**
 * Every size a peer controls, as a named limit with a default, declared once (flags
 * `--max-frame-bytes` … on the learner, docs/operations.md). Decoders take a `Limits` and check
 * a size before they read or allocate what it describes.
 */
import { defineOptions, int, num, type OptionValues } from '../options/index.ts';

const MIB = 1024 * 1024;

export const LIMIT_OPTIONS = defineOptions(
	{
		maxFrameBytes: int('largest frame accepted on the wire (header + possibly compressed payload)', 8 * MIB),
		maxDecompressedBytes: int('largest payload a frame may declare, i.e. its size after decompression', 32 * MIB),
		maxBatchSteps: int('steps in one TRANSITION_BATCH, frames in one TELEMETRY_BATCH', 8192),
		maxSegments: int('trajectory segments in one TRANSITION_BATCH', 512),
		maxObsDim: int('observation dimensions', 512),
		maxActionDim: int('action dimensions', 16),
		maxControlChunk: int('actions in one CONTROL_BATCH chunk', 512),
		maxWeightFloats: int('floats in one WEIGHTS_UPDATE buffer', 4 * MIB),
		maxTensors: int('tensors named in one weights manifest', 64),
		maxStringLength: int('UTF-8 characters in any string field (names, tokens, messages)', 256),
		maxListLength: int('entries in any list field that is not a column (names, lap times, …)', 1024),
		maxLapTimes: int('lap times in one EPISODE_SUMMARY', 64),
		maxTrackPoints: int('centre-line points in one TRACK', 8192),
		maxTracePoints: int('trace samples in one LAP (10 Hz × 27 min)', 16384),
		maxAbsReward: num('largest |reward| of a step; beyond it the batch is refused (INVALID_FIELD)', 1e6, { above: 0 }),
		maxAbsObs: num('largest |value| in an observation or action (obs, finalObs, action, telemetry obs)', 1e6, { above: 0 })
	},
	{ title: 'Protocol limits', noun: 'limit', envPrefix: 'PITWALL_' }
);

export type Limits = OptionValues<typeof LIMIT_OPTIONS.options>;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze(LIMIT_OPTIONS.defaults());

/** Defaults overridden by `overrides`; throws OptionsError (a RangeError) naming the limit. */
export function resolveLimits(overrides?: Partial<Limits>): Limits {
	return LIMIT_OPTIONS.resolve(overrides ?? {});
}
