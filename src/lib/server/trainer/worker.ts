/**
 * The trainer worker: owns tfjs and the run's trainer (PPO or SAC), so training never blocks the
 * sockets on the main thread (architecture rule 3). Requests are answered one at a time, in
 * order; a SAC trainer also trains between them and posts each new policy unasked (id 0).
 */
import { parentPort } from 'node:worker_threads';
import { initBackend, type BackendName } from '../../ppo/backend.ts';
import { checkpointAlgo, checkpointFiles } from '../../ppo/checkpoint.ts';
import { PpoTrainer } from '../../ppo/trainer.ts';
import { SacTrainer } from '../../sac/trainer.ts';
import type { WorkerNews, WorkerReply, WorkerRequest } from './messages.ts';
import { PpoWorker } from './ppo-worker.ts';
import { SacWorker } from './sac-worker.ts';

let algo: PpoWorker | SacWorker | undefined;

const post = (message: WorkerReply | WorkerNews) => parentPort!.postMessage(message);

function need(): PpoWorker | SacWorker {
	if (!algo) throw new Error('trainer not initialised');
	return algo;
}

function sac(): SacWorker {
	const a = need();
	if (!(a instanceof SacWorker)) throw new Error('this run trains PPO: transitions go in updates, not feeds');
	return a;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
	const { id } = request;
	switch (request.kind) {
		case 'init': {
			const backend = await initBackend(request.backends as BackendName[] | undefined);
			const { spec, trainer } = request;
			algo =
				trainer.algo === 'sac'
					? new SacWorker(
							new SacTrainer(spec.obsDim, spec.actionDim, spec.actionLow, spec.actionHigh, trainer.config),
							backend,
							post,
							undefined,
							request.options.replayBytes
						)
					: new PpoWorker(new PpoTrainer(spec.obsDim, spec.actionDim, trainer.config), backend);
			await algo.useThreads(request.options.threads);
			return { id, ok: true, kind: 'ready', snapshot: algo.snapshot() };
		}
		case 'resume': {
			const backend = await initBackend(request.backends as BackendName[] | undefined);
			const files = checkpointFiles(request.checkpoint); // unzipped once (a SAC checkpoint may hold a large replay buffer)
			algo = checkpointAlgo(files) === 'sac' ? SacWorker.resume(files, backend, post, request.options.replayBytes) : PpoWorker.resume(files, backend);
			await algo.useThreads(request.options.threads);
			return { id, ok: true, kind: 'ready', snapshot: algo.snapshot() };
		}
		case 'update': {
			const a = need();
			if (!(a instanceof PpoWorker)) throw new Error('this run trains SAC: transitions are fed, not updated on');
			return a.update(id, request.rollout);
		}
		case 'feed': {
			const a = sac();
			const added = a.feed(request.rollout);
			const { weights: _, ...status } = a.snapshot(); // the actor's weights reached the main thread with their version's news
			return { id, ok: true, kind: 'fed', added, snapshot: status };
		}
		case 'pace': {
			const a = need();
			if (a instanceof SacWorker) a.pace(request.running);
			return { id, ok: true, kind: 'ready', snapshot: a.snapshot() };
		}
		case 'save': {
			const a = need();
			const checkpoint = await a.save(request.meta, request.files);
			return { id, ok: true, kind: 'saved', checkpoint, counters: { ...a.trainer.counters } };
		}
		case 'relabel': {
			const a = need();
			a.relabel(request.policyVersion);
			return { id, ok: true, kind: 'ready', snapshot: a.snapshot() };
		}
		case 'hyperparams': {
			const a = need();
			a.setHyperparams(request.changes);
			return { id, ok: true, kind: 'config', snapshot: a.snapshot() };
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
