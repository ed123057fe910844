/**
 * Broadcast: 16 actors (a separate process) train with the learner: each acks every
 * WEIGHTS_UPDATE and answers it with a 64-step batch, so every update (nSteps 1024) is followed by
 * a broadcast. Measured per update: from the worker's result to the last actor's ack.
 */
import { percentile, round, type BenchResult } from './harness.ts';
import { loadActors, startLearner } from './learner-load.ts';

const ACTORS = 16;
const SECONDS = Number(process.env.BROADCAST_SECONDS ?? 15);

export async function run(): Promise<BenchResult> {
	const { runtime, server, url } = await startLearner({ nSteps: 64 * ACTORS, minibatchSize: 64, updateEpochs: 4 });
	const sentAt = new Map<number, number>();
	const acks = new Map<number, number[]>();
	const broadcast = runtime.broadcast.bind(runtime);
	runtime.broadcast = () => {
		sentAt.set(runtime.policyVersion, performance.now());
		return broadcast();
	};
	const weightsAck = runtime.weightsAck.bind(runtime);
	runtime.weightsAck = (entry, ack) => {
		const list = acks.get(ack.policyVersion) ?? [];
		list.push(performance.now());
		acks.set(ack.policyVersion, list);
		weightsAck(entry, ack);
	};
	await loadActors(url, ACTORS, 'train', SECONDS);
	const latencies: number[] = [];
	let dropped = 0;
	const lastVersion = runtime.policyVersion;
	for (const [version, at] of sentAt) {
		if (version < 2 || version >= lastVersion) continue; // the first (actors still joining) and the last (cut by the end)
		const got = acks.get(version) ?? [];
		if (got.length < ACTORS) dropped++;
		else latencies.push(Math.max(...got) - at);
	}
	latencies.sort((a, b) => a - b);
	const rssMb = process.memoryUsage().rss / 2 ** 20;
	const updates = runtime.status().updates;
	await server.close();
	return {
		name: 'broadcast',
		figures: {
			broadcastP50Ms: round(percentile(latencies, 0.5)),
			broadcastP95Ms: round(percentile(latencies, 0.95)),
			dropped,
			rounds: latencies.length,
			updates,
			learnerRssMb: round(rssMb, 1)
		},
		targets: [
			{ key: 'broadcastP95Ms', op: '<=', value: 10 },
			{ key: 'dropped', op: '==', value: 0 }
		]
	};
}
