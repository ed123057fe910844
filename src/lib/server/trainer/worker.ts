/**
 * The trainer worker: owns tfjs and the PpoTrainer, so PPO updates never block the sockets on the
 * main thread (architecture rule 3). One request at a time, answered in order.
 */
import { parentPort } from 'node:worker_threads';
import { initBackend, type BackendName } from '../../ppo/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../ppo/checkpoint.ts';
import { guardedUpdate } from '../../ppo/guard.ts';
import { RolloutBuffer } from '../../ppo/rollout-buffer.ts';
import { PpoTrainer } from '../../ppo/trainer.ts';
import type { TrainerSnapshot, WorkerReply, WorkerRequest } from './messages.ts';

let trainer: PpoTrainer | undefined;
let backend = '';
let meta: Record<string, unknown> | undefined;

function snapshot(t: PpoTrainer): TrainerSnapshot {
	return { backend, config: t.config, counters: { ...t.counters }, weights: t.weights(), obsDim: t.layout.obsDim, actionDim: t.layout.actionDim, meta };
}

function need(): PpoTrainer {
	if (!trainer) throw new Error('trainer not initialised');
	return trainer;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
	switch (request.kind) {
		case 'init':
			backend = await initBackend(request.backends as BackendName[] | undefined);
			trainer = new PpoTrainer(request.obsDim, request.actionDim, request.config);
			return { id: request.id, ok: true, kind: 'ready', snapshot: snapshot(trainer) };
		case 'resume': {
			backend = await initBackend(request.backends as BackendName[] | undefined);
			const loaded = loadCheckpoint(request.checkpoint);
			trainer = loaded.trainer;
			meta = loaded.meta;
			return { id: request.id, ok: true, kind: 'ready', snapshot: snapshot(trainer) };
		}
		case 'update': {
			const t = need();
			const { rollout } = request;
			if (rollout.obsDim !== t.layout.obsDim || rollout.actionDim !== t.layout.actionDim) {
				throw new Error(`rollout dims ${rollout.obsDim}/${rollout.actionDim} differ from the trainer's ${t.layout.obsDim}/${t.layout.actionDim}`);
			}
			const outcome = guardedUpdate(t, RolloutBuffer.of(rollout));
			if (!outcome.ok) return { id: request.id, ok: true, kind: 'rejected', reason: outcome.reason };
			return { id: request.id, ok: true, kind: 'updated', result: outcome.result, snapshot: snapshot(t) };
		}
		case 'save': {
			const t = need();
			return { id: request.id, ok: true, kind: 'saved', checkpoint: await saveCheckpoint(t, request.meta, request.files), counters: { ...t.counters } };
		}
		case 'relabel': {
			const t = need();
			t.counters = { ...t.counters, policyVersion: request.policyVersion };
			return { id: request.id, ok: true, kind: 'ready', snapshot: snapshot(t) };
		}
		case 'hyperparams': {
			const t = need();
			t.setHyperparams(request.changes);
			return { id: request.id, ok: true, kind: 'config', config: t.config };
		}
	}
}

let queue = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
	queue = queue.then(async () => {
		let reply: WorkerReply;
		try {
			reply = await handle(request);
		} catch (error) {
			reply = { id: request.id, ok: false, error: (error as Error)?.message ?? String(error) };
		}
		const transfer = reply.ok && reply.kind === 'saved' ? [reply.checkpoint.buffer as ArrayBuffer] : [];
		parentPort!.postMessage(reply, transfer);
	});
});
