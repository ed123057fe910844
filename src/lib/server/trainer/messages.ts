/**
 * Messages between the learner's main thread and its trainer worker (worker_threads). A rollout's
 * step columns travel as transferable ArrayBuffers (transferList), never copied.
 *
 * PPO answers each `update` with one new policy. SAC trains continuously inside the worker: the
 * main thread `feed`s it transitions, and the worker posts each new policy unasked (WorkerNews,
 * id 0), every `broadcastEvery` gradient steps.
 */
import type { ReplayStatus, TrainerAlgo, TrainerThreads, WeightsUpdate } from '../../protocol/index.ts';
import type { PpoConfig } from '../../ppo/config.ts';
import type { TrainerCounters } from '../../ppo/trainer.ts';
import type { SacConfig } from '../../sac/config.ts';
import type { Rollout } from '../../transitions/index.ts';

/** The algorithm a run trains with and its settings (overrides of the defaults). */
export type TrainerChoice = { algo: 'ppo'; config: Partial<PpoConfig> } | { algo: 'sac'; config: Partial<SacConfig> };

/** How the worker keeps what it trains on and what it computes with. */
export interface WorkerOptions {
	/** The replay bytes a SAC checkpoint may hold (0 = none). */
	replayBytes: number;
	/** Threads the trainer's gradients are split over, the worker's own included (--trainer-threads). */
	threads: number;
}

/** What the trainer computes with, and how much it has computed. */
export interface TrainerCompute extends TrainerThreads {
	/** Milliseconds spent computing updates since the trainer started (this process). */
	busyMs: number;
}

/** What the worker needs to build a trainer for the first actor's specs. */
export interface TrainerSpec {
	obsDim: number;
	actionDim: number;
	actionLow: number[];
	actionHigh: number[];
}

/** One update's (PPO) or one stretch of gradient steps' (SAC) figures: metric name → value. */
export type TrainerResult = Record<string, number> & { policyVersion: number; samples: number; updateMs: number };

export interface TrainerSnapshot {
	algo: TrainerAlgo;
	backend: string;
	config: PpoConfig | SacConfig;
	counters: TrainerCounters;
	weights: WeightsUpdate;
	obsDim: number;
	actionDim: number;
	/** Steps from policies more than this many versions behind are dropped; null = never (off-policy). */
	maxPolicyLag: number | null;
	/** Fresh steps an update waits for (PPO's nSteps); 0 = trains continuously (SAC). */
	updateSamples: number;
	/** The live-editable hyperparameters and their values. */
	hyperparams: Record<string, number>;
	/** SAC: the replay buffer and the update-to-data ratio. */
	replay?: ReplayStatus;
	compute: TrainerCompute;
	meta?: Record<string, unknown>;
}

export type WorkerRequest =
	| { id: number; kind: 'init'; spec: TrainerSpec; trainer: TrainerChoice; options: WorkerOptions; backends?: string[] }
	| { id: number; kind: 'resume'; checkpoint: Uint8Array; options: WorkerOptions; backends?: string[] }
	/** PPO: one update on this rollout. */
	| { id: number; kind: 'update'; rollout: Rollout }
	/** SAC: these transitions into the replay buffer. */
	| { id: number; kind: 'feed'; rollout: Rollout }
	/** SAC: stop or go on taking gradient steps (PPO's pause lives on the main thread). */
	| { id: number; kind: 'pace'; running: boolean }
	/** `files`: extra entries for the checkpoint's zip, by path (e.g. the learner's held steps). */
	| { id: number; kind: 'save'; meta: Record<string, unknown>; files: Record<string, Uint8Array> }
	| { id: number; kind: 'hyperparams'; changes: Record<string, number> }
	/** Renumbers the current policy (a resumed run skips the versions a crashed learner handed out). */
	| { id: number; kind: 'relabel'; policyVersion: number };

export type WorkerReply =
	| { id: number; ok: true; kind: 'ready'; snapshot: TrainerSnapshot }
	| { id: number; ok: true; kind: 'updated'; result: TrainerResult; snapshot: TrainerSnapshot }
	/** The training guard rolled the trainer back (non-finite numbers); `steps` of the rollout were dropped (0 for SAC). */
	| { id: number; ok: true; kind: 'rejected'; reason: string; steps: number }
	/** The snapshot without the weights: a feed never makes a new policy without its news coming first. */
	| { id: number; ok: true; kind: 'fed'; added: number; snapshot: Omit<TrainerSnapshot, 'weights'> }
	| { id: number; ok: true; kind: 'saved'; checkpoint: Uint8Array; counters: TrainerCounters }
	| { id: number; ok: true; kind: 'config'; snapshot: TrainerSnapshot }
	| { id: number; ok: false; error: string };

/** Unasked news from a continuously training worker (SAC), posted with id 0. */
export type WorkerNews =
	{ id: 0; ok: true; kind: 'updated'; result: TrainerResult; snapshot: TrainerSnapshot } | { id: 0; ok: true; kind: 'rejected'; reason: string; steps: 0 };
