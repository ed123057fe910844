/**
 * pitwall's wire protocol, shared by the learner, the browser console and the bridge-agent.
 * Pure TypeScript: no node:*, DOM or $app imports (tests/unit/protocol/purity.test.ts enforces it).
 */
export * from './types.ts';
export * from './errors.ts';
export * from './limits.ts';
export { HEADER_BYTES, COMPRESS_THRESHOLD_BYTES, FLAG_DEFLATE, readHeader, type CompressMode, type FrameHeader } from './frame.ts';
export { ColumnCoding } from './columns.ts';
export type {
	ActorInfo,
	Alert,
	BusStatus,
	CarPosition,
	ConsoleEvent,
	EvaluationInfo,
	LapEntry,
	LapRecord,
	LapReplay,
	LapsView,
	LearnerStatus,
	MetricPoint,
	ReplayStatus,
	RunSeries,
	RunSummary,
	TrackView,
	TrainerAlgo,
	TrainerLoadStatus,
	TrainerThreads,
	TrainingState,
	TransitionCounts
} from './console.ts';
export { Decoder, decodeMessage, encodeMessage, errorMessage, type EncodeOptions } from './codec.ts';
export type { ColumnMode } from './messages/codec-types.ts';
