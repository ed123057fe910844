/**
 * A data-parallel worker thread (started by pool.ts): starts the tfjs backend the leader uses,
 * says it is ready, then serves its job's rounds until told to exit.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendName } from '../ppo/backend.ts';
import { serveGradRounds } from '../ppo/grad-job.ts';
import type { JobData } from './pool.ts';

const data = workerData as JobData;
try {
	await initBackend([data.backend as BackendName]);
	const serve = { 'ppo-grad': serveGradRounds }[data.job];
	if (!serve) throw new Error(`unknown job ${data.job}`);
	const loop = serve(data);
	parentPort!.postMessage({ ready: true });
	loop();
} catch (error) {
	parentPort!.postMessage({ error: (error as Error)?.message ?? String(error) });
}
