/**
 * What the learner tells browsers, on /ws/console (JSON text) and /api/* (JSON). Declared once,
 * here, for the server and the console alike.
 */
import type { ActorStats, InferenceMode, LapReport, TelemetryFrame } from './types.ts';

export type TrainingState = 'idle' | 'starting' | 'waiting' | 'updating' | 'paused';

/** Where an actor's (or the run's) transitions went, in steps unless named batches (see runtime/ledger.ts). */
export interface TransitionCounts {
	/** Steps stored the first time (each batch seq once). */
	received: number;
	/** Steps handed to an update. */
	trained: number;
	/** Dropped: too many policy versions behind when they would have been trained. */
	stale: number;
	/** Dropped: the learner's store was full (the oldest go). */
	overflow: number;
	/** Dropped: the update on them gave non-finite numbers and was rolled back (training guard). */
	rejected: number;
	/** Steps in batches the learner refused to store (never received). */
	refused: number;
	/** Waiting in the store: received − trained − stale − overflow − rejected. */
	held: number;
	/** Batches that came again after they were stored (acked, ignored). */
	resentBatches: number;
	/** Seq gaps: batches the actor never delivered. */
	skippedBatches: number;
}

/** The training algorithm of a run. */
export type TrainerAlgo = 'ppo' | 'sac';

/** SAC's replay buffer and update-to-data ratio, as the console shows them. */
export interface ReplayStatus {
	/** Transitions held, and the most it holds. */
	size: number;
	capacity: number;
	/** Transitions ever added, and those overwritten by newer ones. */
	inserted: number;
	overwritten: number;
	/** Age of the oldest transition held, in transitions added since. */
	oldestAge: number;
	/** Transitions held per actor id. */
	perActor: Record<string, number>;
	/** Gradient steps per ingested env step: the target and what was achieved since learning started. */
	utdTarget: number;
	utdAchieved: number;
	/** Gradient steps owed now (the trainer is behind when this stays large). */
	owed: number;
	/** Transitions needed before the first gradient step. */
	learningStarts: number;
	gradStepsPerSec: number;
}

export interface LearnerStatus {
	runId: string;
	algo: TrainerAlgo;
	state: TrainingState;
	backend: string;
	policyVersion: number;
	updates: number;
	samples: number;
	samplesPerSec: number;
	uptimeS: number;
	actors: number;
	buffer: { fresh: number; needed: number; droppedStale: number; droppedOverflow: number; lag: Record<number, number> };
	/** The run's transition books, over every actor and restart. */
	transitions: TransitionCounts;
	lastUpdateAt: number | null;
	/** The live-editable hyperparameters of the run's algorithm (PATCH /api/hyperparams) and their values. */
	hyperparams: Record<string, number>;
	/** SAC runs: the replay buffer. */
	replay?: ReplayStatus;
	/** What the trainer computes with and how busy it is (absent before the trainer is ready). */
	trainer?: TrainerLoadStatus;
	/** The newest evaluation requests of this process, newest first. */
	evaluations: EvaluationInfo[];
	/**
	 * Connections and sessions this process refused, by reason: an actor protocol error code
	 * (`RATE_LIMITED`, `MALFORMED`, …) or `upgrade <HTTP status>` for an upgrade refused before
	 * the WebSocket opened. Counted whether or not the log line was written (logs are limited).
	 */
	refusals: Record<string, number>;
	/** With --bus: the learner's side of the bus (docs/scale-out.md). */
	bus?: BusStatus;
}

/** What the trainer computes with (the worker reports it; the status adds how busy it is). */
export interface TrainerThreads {
	/** Threads an update is split over (fewer than `threadsAsked` when `reason` says why). */
	threads: number;
	threadsAsked: number;
	reason?: string;
}

export interface TrainerLoadStatus extends TrainerThreads {
	/** Share of wall time the trainer spent computing over the last 30 s, 0–1. */
	busy: number;
}

export interface BusStatus {
	servers: string[];
	/** The NATS connection is up (it reconnects by itself). */
	connected: boolean;
	/** Names of the gateways that have actors of this run connected. */
	gateways: string[];
	/** Messages this process took from the run's stream. */
	taken: number;
	/** Messages taken and waiting for a checkpoint to hold them (then they are acked). */
	unacked: number;
	/** The newest policy version the bus holds for the gateways (−1 = none yet). */
	weightsVersion: number;
}

export interface ActorInfo {
	id: string;
	sessionId: string;
	name: string;
	address: string;
	mode: InferenceMode;
	source: string;
	state: 'connected' | 'lost';
	ackedVersion: number;
	sentVersion: number;
	/** Weights waiting for a slow socket to drain (coalesced: only the newest is kept). */
	weightsPending: boolean;
	lag: number;
	rttMs: number | null;
	health: ActorStats | null;
	samples: number;
	samplesPerSec: number;
	/** This actor id's transition books over the run (all its sessions and processes). */
	transitions: TransitionCounts;
	episodes: number;
	lastReturn: number | null;
	bestLapMs: number | null;
	/** The name of the track of this session's TRACK (null: none sent). */
	track: string | null;
	/** Where the car is, from its newest telemetry frame (null: none yet). */
	position: CarPosition | null;
	lastSeenAt: number;
	connectedAt: number;
	bytesIn: number;
	bytesOut: number;
}

/** A car on the map: the newest telemetry frame's position and state. */
export interface CarPosition {
	x: number;
	z: number;
	speedKmh: number;
	tyresOut: number;
	lapPosition: number;
	lapTimeMs: number;
}

/** A track as the console draws it (an actor's TRACK; coordinates as telemetry x and z). */
export interface TrackView {
	name: string;
	lengthM: number;
	halfWidthM: number;
	x: number[];
	z: number[];
	sectors: number[];
}

/** One laps.jsonl line: a lap an actor reported (LAP, its fields but the trace), numbered over the run. */
export interface LapRecord extends Omit<LapReport, 'type' | 'trace'> {
	/** 1, 2, 3, … over the run (across restarts). */
	id: number;
	/** Learner clock when it arrived, ms. */
	at: number;
	actorId: string;
	actorName: string;
	/** The actor's track when it drove the lap ('' when it sent none). */
	track: string;
}

/** A lap in the console: its record, and whether its trace is kept for a replay. */
export interface LapEntry extends LapRecord {
	replay: boolean;
}

/** The console's laps: totals, the best clean laps of each track, the newest laps. */
export interface LapsView {
	total: number;
	clean: number;
	/**
	 * Per track: its best clean laps, fastest first (at most LEADERBOARD_SIZE), and its records —
	 * every lap that was the track's fastest clean lap when it was driven, oldest first.
	 */
	leaderboards: { track: string; laps: LapEntry[]; records: LapEntry[] }[];
	/** The newest laps of the fleet, newest first. */
	recent: LapEntry[];
}

/** A kept lap's trace for a replay (GET /api/laps/:id/trace): samples every 1/hz s of lap time. */
export interface LapReplay {
	lap: LapRecord;
	hz: number;
	x: number[];
	z: number[];
	speedKmh: number[];
	steer: number[];
	throttle: number[];
	brake: number[];
	/** Tyres off the track at each sample, 0 … 4; absent when the actor's trace did not carry it. */
	tyresOut?: number[];
}

/** A run directory as the runs page lists it. */
export interface RunSummary {
	id: string;
	/** The run this learner is training now. */
	live: boolean;
	algo: TrainerAlgo | null;
	/** From its newest update point (0 before one). */
	samples: number;
	updates: number;
	/** The fastest clean lap in its laps.jsonl, ms (null: none). */
	bestCleanLapMs: number | null;
	laps: number;
	/** First and newest metric point, ms (null: no points). */
	startedAt: number | null;
	lastAt: number | null;
	/** Its checkpoint ids (GET /api/runs/<id>/checkpoints/<ckpt>/download). */
	checkpoints: string[];
}

/** A run's metric series for overlays, downsampled (first, last, min, max per column). */
export interface RunSeries {
	runId: string;
	/** The x axes, aligned with every y column. */
	x: { step: number[]; update: number[]; time: number[]; elapsed: number[] };
	y: Record<string, (number | null)[]>;
}

/** One metrics.jsonl line. `step` is total samples trained on (for updates) or seen (episodes). */
export type MetricPoint =
	| ({ kind: 'update'; step: number; update: number; time: number; policyVersion: number } & Record<string, number | string>)
	| {
			kind: 'episode';
			step: number;
			time: number;
			actorId: string;
			return: number;
			length: number;
			lapTimesMs: number[];
			cleanLaps: number;
			policyVersion: number;
			/** An evaluation episode (deterministic actions) of this EVALUATE request; absent for training episodes. */
			evalId?: number;
	  }
	| { kind: 'event'; step: number; time: number; event: string; detail: Record<string, unknown> };

export interface Alert {
	id: number;
	kind: 'actor-lost' | 'non-finite' | 'learner-stalled' | 'policy-lag' | 'trainer-error' | 'run-error';
	message: string;
	at: number;
	actorId?: string;
}

export type ConsoleEvent =
	| { type: 'status'; status: LearnerStatus }
	| { type: 'actors'; actors: ActorInfo[] }
	| { type: 'metrics'; points: MetricPoint[] }
	| { type: 'alerts'; alerts: Alert[] }
	| { type: 'telemetry'; actorId: string; frames: TelemetryFrame[] }
	| { type: 'laps'; laps: LapsView }
	| { type: 'tracks'; tracks: TrackView[] };

/** One evaluation request (POST /api/evaluations) and the deterministic episodes reported for it so far. */
export interface EvaluationInfo {
	evalId: number;
	requestedAt: number;
	/** The learner's policy version when it was requested. */
	policyVersion: number;
	/** Episodes asked of each actor. */
	episodes: number;
	/** Actors it was sent to. */
	actors: string[];
	/** Actors it was not sent to, and why. */
	skipped: { actorId: string; reason: string }[];
	results: { actorId: string; return: number; length: number; endReason: string; lapTimesMs: number[]; cleanLaps: number; policyVersion: number }[];
}
