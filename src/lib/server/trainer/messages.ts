/**
 * Messages between the learner's main thread and its trainer worker (worker_threads). A rollout's
 * step columns travel as transferable ArrayBuffers (transferList), never copied.
 */
import type { WeightsUpdate } from '../../protocol/index.ts';
import type { PpoConfig } from '../../ppo/config.ts';
import type { TrainerCounters, TrainerUpdateResult } from '../../ppo/trainer.ts';
import type { Rollout } from '../../transitions/index.ts';

export type WorkerRequest =
	| { id: number; kind: 'init'; obsDim: number; actionDim: number; config: Partial<PpoConfig>; backends?: string[] }
	| { id: number; kind: 'resume'; checkpoint: Uint8Array; backends?: string[] }
	| { id: number; kind: 'update'; rollout: Rollout }
	/** `files`: extra entries for the checkpoint's zip, by path (e.g. the learner's held steps). */
	| { id: number; kind: 'save'; meta: Record<string, unknown>; files: Record<string, Uint8Array> }
	| { id: number; kind: 'hyperparams'; changes: Partial<Pick<PpoConfig, 'learningRate' | 'entCoef'>> }
	/** Renumbers the current policy (a resumed run skips the versions a crashed learner handed out). */
	| { id: number; kind: 'relabel'; policyVersion: number };

export interface TrainerSnapshot {
	backend: string;
	config: PpoConfig;
	counters: TrainerCounters;
	weights: WeightsUpdate;
	obsDim: number;
	actionDim: number;
	meta?: Record<string, unknown>;
}

export type WorkerReply =
	| { id: number; ok: true; kind: 'ready'; snapshot: TrainerSnapshot }
	| { id: number; ok: true; kind: 'updated'; result: TrainerUpdateResult; snapshot: TrainerSnapshot }
	/** The training guard rolled the update back (non-finite numbers): the trainer is as before it. */
	| { id: number; ok: true; kind: 'rejected'; reason: string }
	| { id: number; ok: true; kind: 'saved'; checkpoint: Uint8Array; counters: TrainerCounters }
	| { id: number; ok: true; kind: 'config'; config: PpoConfig }
	| { id: number; ok: false; error: string };
