/**
 * Every message that crosses the wire between bridge-agent and learner, declared once.
 * Byte layout: docs/protocol.md. Field names are the MessagePack map keys.
 */
import type { StepBlock } from '../transitions/index.ts';

/** The largest uint32: the top of every id, sequence and version field's range. */
export const U32_MAX = 0xffffffff;

/** Bumped on any incompatible change of the frame or of a message body. */
export const PROTOCOL_VERSION = 1;

/** Message type byte (frame offset 3). Grouped by tens: session, telemetry/control, data, weights, heartbeat. */
export const MessageType = {
	HANDSHAKE: 1,
	HANDSHAKE_ACCEPT: 2,
	ERROR: 3,
	TRACK: 4,
	TELEMETRY: 10,
	TELEMETRY_BATCH: 11,
	CONTROL: 12,
	CONTROL_BATCH: 13,
	TRANSITION: 20,
	TRANSITION_BATCH: 21,
	BATCH_ACK: 22,
	EPISODE_SUMMARY: 23,
	LAP: 24,
	WEIGHTS_UPDATE: 30,
	WEIGHTS_ACK: 31,
	EVALUATE: 32,
	PING: 40,
	PONG: 41
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];
export type MessageTypeName = keyof typeof MessageType;

export const MESSAGE_TYPE_NAME: Readonly<Record<number, MessageTypeName>> = Object.freeze(
	Object.fromEntries(Object.entries(MessageType).map(([name, code]) => [code, name as MessageTypeName]))
);

/** How the actor runs its policy: locally with broadcast weights, or remotely in control chunks. */
export type InferenceMode = 'local' | 'remote';
export const INFERENCE_MODES: readonly InferenceMode[] = ['local', 'remote'];

/** Shape and meaning of a float vector (observation or action). */
export interface VectorSpec {
	dim: number;
	/** One name per dimension, e.g. "steer", "throttle", "brake". */
	names: string[];
	/** Per-dimension lower bound; actions are clipped to [low, high] before they reach the car. */
	low: Float32Array;
	high: Float32Array;
}

export interface Handshake {
	type: typeof MessageType.HANDSHAKE;
	protocolVersion: number;
	token: string;
	/** Stable across reconnects: the learner uses it to resume sequence numbers. */
	actorId: string;
	actorName: string;
	mode: InferenceMode;
	controlHz: number;
	obsSpec: VectorSpec;
	actionSpec: VectorSpec;
	/** `ac` or `sim`, free text for display. */
	source: string;
	/** Agent software version, for display. */
	agentVersion: string;
}

export interface HandshakeAccept {
	type: typeof MessageType.HANDSHAKE_ACCEPT;
	protocolVersion: number;
	sessionId: string;
	runId: string;
	/** Version of the weights the learner will send next (0 = none yet). */
	policyVersion: number;
	heartbeatIntervalMs: number;
	/** Highest TRANSITION_BATCH seq the learner already holds for this actorId (−1 = none). */
	lastSeq: number;
	/**
	 * Highest seq of this actorId that is durable (in a saved checkpoint: trained on, dropped with a
	 * reason, or held in it); the actor keeps later batches to resend after a learner crash.
	 * Absent from learners that do not checkpoint their intake: then `lastSeq` is durable.
	 */
	durableSeq?: number;
	/** Actions per CONTROL_BATCH in remote mode. */
	controlChunk: number;
	/** Largest frame the learner accepts. */
	maxFrameBytes: number;
	/** Largest TRANSITION_BATCH the learner accepts. */
	maxBatchSteps: number;
	/** Telemetry frames per second the learner wants for the live view. */
	telemetryHz: number;
}

export interface ErrorMessage {
	type: typeof MessageType.ERROR;
	code: string;
	message: string;
	/** True when the sender closes the connection right after (with `closeCode`). */
	fatal: boolean;
	closeCode: number;
}

/** One telemetry sample: the fields the live view and remote inference need. */
export interface TelemetryFrame {
	/** Sender's clock, ms. */
	t: number;
	speedKmh: number;
	steer: number;
	gas: number;
	brake: number;
	gear: number;
	rpm: number;
	x: number;
	y: number;
	z: number;
	/** 0…1 along the lap (AC's normalizedCarPosition). */
	lapPosition: number;
	completedLaps: number;
	lapTimeMs: number;
	lastLapMs: number;
	bestLapMs: number;
	tyresOut: number;
}

/** Numeric fields of a TelemetryFrame in wire order (TELEMETRY_BATCH columns use the same names). */
export const TELEMETRY_FIELDS = [
	't',
	'speedKmh',
	'steer',
	'gas',
	'brake',
	'gear',
	'rpm',
	'x',
	'y',
	'z',
	'lapPosition',
	'completedLaps',
	'lapTimeMs',
	'lastLapMs',
	'bestLapMs',
	'tyresOut'
] as const satisfies readonly (keyof TelemetryFrame)[];

export interface Telemetry {
	type: typeof MessageType.TELEMETRY;
	frame: TelemetryFrame;
	/** Observation for remote inference (obsSpec.dim floats); absent in local mode. */
	obs?: Float32Array;
	/** In remote mode: ask for a CONTROL_BATCH answering this id (0 = no request). */
	requestId: number;
}

/** Columnar telemetry: one Float64Array per field, all of length `n`. */
export interface TelemetryBatch {
	type: typeof MessageType.TELEMETRY_BATCH;
	n: number;
	columns: Record<(typeof TELEMETRY_FIELDS)[number], Float64Array>;
}

export interface Control {
	type: typeof MessageType.CONTROL;
	requestId: number;
	policyVersion: number;
	/** actionSpec.dim floats, already within bounds. */
	action: Float32Array;
	logProb: number;
	value: number;
}

/** k actions for the next k control ticks (the seed's chunked control). */
export interface ControlBatch {
	type: typeof MessageType.CONTROL_BATCH;
	requestId: number;
	policyVersion: number;
	k: number;
	actionDim: number;
	/** k × actionDim, step-major. */
	actions: Float32Array;
	logProb: Float32Array;
	value: Float32Array;
}

export type { Segment } from '../transitions/index.ts';

/**
 * Columnar transitions: a block of steps (columns and segments, src/lib/transitions) with the
 * actor's sequence number. The columns are the transition model's; `value` is not one of them (an
 * optional, ignored key on the wire: the learner recomputes values with its current critic).
 */
export interface TransitionBatch extends StepBlock {
	type: typeof MessageType.TRANSITION | typeof MessageType.TRANSITION_BATCH;
	/** Per-actor sequence number, consecutive from 0, for exactly-once delivery across reconnects. */
	seq: number;
}

export interface BatchAck {
	type: typeof MessageType.BATCH_ACK;
	/** Every batch with seq ≤ this is stored (in memory); it is not sent again on a reconnect to this learner. */
	seq: number;
	/** Every batch with seq ≤ this is durable (see HandshakeAccept.durableSeq); absent = `seq`. The actor frees them. */
	durable?: number;
}

export interface EpisodeSummary {
	type: typeof MessageType.EPISODE_SUMMARY;
	episodeId: number;
	return: number;
	length: number;
	/** `terminated`, `truncated`, or the reason text (e.g. "off-track"). */
	endReason: string;
	terminated: boolean;
	truncated: boolean;
	/** Completed lap times in ms during the episode. */
	lapTimesMs: number[];
	/** Laps completed without a tyre off the track. */
	cleanLaps: number;
	policyVersion: number;
	/** Set on an evaluation episode (deterministic actions): the EVALUATE request's evalId. Absent = a training episode. */
	evalId?: number;
}

/** Most sector boundaries a TRACK may name (sectors = boundaries + 1), and sector times a LAP may carry. */
export const MAX_SECTORS = 8;
/** Longest lap a LAP may report, ms (one hour). */
export const MAX_LAP_MS = 3_600_000;
/** Highest speed a LAP or its trace may report, km/h. */
export const MAX_SPEED_KMH = 1000;

/**
 * Actor → learner, after each HANDSHAKE_ACCEPT: the track the car drives, for the console's map.
 * Coordinates are the telemetry frame's `x` and `z` (AC world metres), centre line closed (the
 * last point joins the first).
 */
export interface TrackDescription {
	type: typeof MessageType.TRACK;
	/** The track's name (AC: the static page's `track`; the sim: its circuit). Cars on one name share a map. */
	name: string;
	/** Lap length along the centre line, m. */
	lengthM: number;
	/** Half the drivable width, m. */
	halfWidthM: number;
	/** The centre line, `n` points. */
	x: Float32Array;
	z: Float32Array;
	/** Sector boundaries as fractions of the lap (lapPosition), ascending in (0, 1); [] = one sector. */
	sectors: number[];
}

/** A lap's compact trace for replays: `n` samples every 1/hz s of lap time. */
export interface LapTrace {
	hz: number;
	n: number;
	x: Float32Array;
	z: Float32Array;
	speedKmh: Float32Array;
	steer: Float32Array;
	throttle: Float32Array;
	brake: Float32Array;
	/**
	 * Optional (actors before it sent none): tyres off the track at each sample, 0 … 4 (AC:
	 * `physics.numberOfTyresOut`), for the replay's off-track marks.
	 */
	tyresOut?: Uint8Array;
}

/** Most tyres a car has off the track (a trace's `tyresOut` is 0 … this). */
export const MAX_TYRES_OUT = 4;

/** The trace's per-sample f32 columns, in wire order (the optional u8 `tyresOut` comes after them). */
export const LAP_TRACE_COLUMNS = ['x', 'z', 'speedKmh', 'steer', 'throttle', 'brake'] as const satisfies readonly (keyof LapTrace)[];

/** Actor → learner: one completed lap (from the start line to the start line), with its trace. */
export interface LapReport {
	type: typeof MessageType.LAP;
	/** The episode the lap was driven in (the transitions' episodeId). */
	episodeId: number;
	/** 1 for the episode's first full lap, then 2, 3, … */
	lap: number;
	timeMs: number;
	/** No tyre left the track during the whole lap. */
	clean: boolean;
	/** One time per sector of the actor's TRACK (they add up to timeMs), or [] when not measured. */
	sectorsMs: number[];
	maxSpeedKmh: number;
	/** The policy driving when the lap ended. */
	policyVersion: number;
	/** Set on a lap of an evaluation episode (the EVALUATE's evalId). */
	evalId?: number;
	trace?: LapTrace;
}

export interface TensorEntry {
	name: string;
	shape: number[];
}

/** Running observation statistics, applied as clip((obs − mean) / sqrt(var + eps), ±clip). */
export interface ObsNormStats {
	mean: Float32Array;
	var: Float32Array;
	count: number;
	clip: number;
	epsilon: number;
}

export interface WeightsManifest {
	policyVersion: number;
	dtype: 'float32';
	/** Tensors in buffer order; each occupies prod(shape) floats. */
	tensors: TensorEntry[];
	/** Absent when the learner does not normalise observations. */
	obsNorm?: ObsNormStats;
	/** Free-form network description, e.g. "mlp-tanh-64x64-gaussian". */
	architecture: string;
}

export interface WeightsUpdate {
	type: typeof MessageType.WEIGHTS_UPDATE;
	manifest: WeightsManifest;
	data: Float32Array;
}

export interface WeightsAck {
	type: typeof MessageType.WEIGHTS_ACK;
	policyVersion: number;
	/** Empty when loaded; otherwise why the actor kept its previous weights. */
	error: string;
}

/** Most episodes one EVALUATE may ask for. */
export const MAX_EVAL_EPISODES = 16;

/** Why `episodes` is no episode count an EVALUATE may carry (undefined: it is one). */
export function evalEpisodesProblem(episodes: unknown): string | undefined {
	return typeof episodes === 'number' && Number.isInteger(episodes) && episodes >= 1 && episodes <= MAX_EVAL_EPISODES
		? undefined
		: `episodes must be an integer in [1, ${MAX_EVAL_EPISODES}], got ${JSON.stringify(episodes)}`;
}

/**
 * Learner → local-mode actor: after the current episode, drive `episodes` episodes with the
 * policy's deterministic action (the mean) and report each with an EPISODE_SUMMARY carrying
 * `evalId`. `record`: whether their transitions go to the learner as training data (an off-policy
 * learner wants them; an on-policy one must not get them). A later EVALUATE replaces this one.
 */
export interface Evaluate {
	type: typeof MessageType.EVALUATE;
	/** 1 … 2³² − 1, chosen by the learner. */
	evalId: number;
	/** 1 … MAX_EVAL_EPISODES. */
	episodes: number;
	record: boolean;
}

/** Health figures the agent reports in its heartbeats. */
export interface ActorStats {
	controlHz: number;
	jitterP50Ms: number;
	jitterP99Ms: number;
	overruns: number;
	steps: number;
	episodes: number;
	bufferedSteps: number;
	droppedSteps: number;
	neutralActions: number;
	policyVersion: number;
	/** Resident memory of the agent process, MiB (0 from agents that do not report it). */
	rssMb: number;
}

/** Required in a PING's stats; `rssMb` is optional on the wire (added later, 0 when absent). */
export const ACTOR_STATS_FIELDS = [
	'controlHz',
	'jitterP50Ms',
	'jitterP99Ms',
	'overruns',
	'steps',
	'episodes',
	'bufferedSteps',
	'droppedSteps',
	'neutralActions',
	'policyVersion'
] as const satisfies readonly Exclude<keyof ActorStats, 'rssMb'>[];

export interface Ping {
	type: typeof MessageType.PING;
	seq: number;
	/** Sender's clock in ms; echoed in PONG for RTT. */
	t: number;
	stats?: ActorStats;
}

export interface Pong {
	type: typeof MessageType.PONG;
	seq: number;
	/** The PING's `t`, echoed. */
	t: number;
}

export type Message =
	| Handshake
	| HandshakeAccept
	| ErrorMessage
	| TrackDescription
	| LapReport
	| Telemetry
	| TelemetryBatch
	| Control
	| ControlBatch
	| TransitionBatch
	| BatchAck
	| EpisodeSummary
	| WeightsUpdate
	| WeightsAck
	| Evaluate
	| Ping
	| Pong;
