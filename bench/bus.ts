/**
 * Bus: the cost of scale-out, measured against the direct path in one run. 16 actors (a separate
 * process, bench/bus-actors.ts) send straight to the learner, then through 2 gateways and a real
 * nats-server (JetStream, file storage) to the same learner code with --bus:
 *   ingest      transitions/s stored (training paused, 32 batches in flight per actor) and each
 *               batch's latency at that saturation, actor send → store
 *   train       every update's weights, from the learner's broadcast to the last of 16 actors, and
 *               each batch's send → store latency at a training load (one batch per actor per update)
 *   crash       1 learner, 2 gateways, 4 agent processes; the learner SIGKILLed mid-run and started
 *               again: steps the agents recorded that are neither in the books nor counted by the
 *               agents as never stored (lost), or in the books twice (duplicated)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBus } from '../src/lib/bus/connection.ts';
import { DUPLICATE_WINDOW_MS } from '../src/lib/bus/options.ts';
import type { PpoConfig } from '../src/lib/ppo/config.ts';
import { parseServerConfig } from '../src/lib/server/config.ts';
import { startServer } from '../src/lib/server/http-server.ts';
import { Runtime } from '../src/lib/server/runtime/index.ts';
import type { TransitionIntake } from '../src/lib/server/runtime/intake.ts';
import { GatewayProcess, HAVE_NATS, NO_NATS, NatsServer, learnerStatus, until } from '../tests/fixtures/bus.ts';
import { ACTOR_TOKEN, AgentProcess, BUILT, LearnerProcess, bookTotals, freePort, savedRun } from '../tests/fixtures/fleet.ts';
import { percentile, round, type BenchResult } from './harness.ts';

const ACTORS = 16;
const INGEST_SECONDS = Number(process.env.BUS_INGEST_SECONDS ?? 12);
const TRAIN_SECONDS = Number(process.env.BUS_TRAIN_SECONDS ?? 12);
// Wall-clock ms in both processes: performance.timeOrigin is fixed at start, and this machine's clock is adjusted while it runs.
const now = () => Date.now();

interface Report {
	sentSteps: number;
	ackedSteps: number;
	sends: Record<string, number[]>;
	weights: Record<string, Record<number, number>>;
}

function busActors(urls: string[], mode: 'ingest' | 'train', seconds: number): Promise<Report> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'bench/bus-actors.ts', urls.join(','), String(ACTORS), mode, String(seconds)], {
			stdio: ['ignore', 'pipe', 'inherit'],
			env: { ...process.env, PITWALL_ACTOR_TOKEN: ACTOR_TOKEN }
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`bus-actors exited ${code}`))));
	});
}

/** A learner in this process (with --bus when `nats` is given) and, on the bus, two gateway processes in front of it. */
async function learner(runId: string, ppo: Partial<PpoConfig>, nats: NatsServer | undefined) {
	const base = parseServerConfig(['--port', '0', '--log-level', 'warn', '--actor-token', ACTOR_TOKEN], {});
	const runsDir = mkdtempSync(join(tmpdir(), 'pitwall-bench-bus-'));
	const runtime = new Runtime({ ...base, learner: { ...base.learner, runsDir, runId, ppo, maxPingsPerSec: 1e9 } });
	const server = await startServer(runtime);
	const gateways: GatewayProcess[] = [];
	if (nats) {
		await runtime.attachBus(await openBus({ servers: [nats.url], name: 'bench learner', streamMaxMb: 4096, duplicateWindowMs: DUPLICATE_WINDOW_MS }));
		for (let i = 1; i <= 2; i++) gateways.push(new GatewayProcess({ bus: nats.url, runId, port: await freePort(), name: `bench-g${i}` }));
		await until(async () => gateways.every((g) => g.listening), Boolean, 'the gateways to listen', 30_000);
	}
	const urls = nats ? gateways.map((g) => g.url) : [server.url.replace('http', 'ws') + '/ws/actor'];
	const close = async () => {
		await Promise.all(gateways.map((g) => g.kill('SIGTERM')));
		await server.close();
	};
	return { runtime, urls, close };
}

/** When each batch (actor id / seq) reached the learner's store, and how many steps were stored from first to last. */
function storeTimes(runtime: Runtime) {
	const intake = (runtime as unknown as { intake: TransitionIntake }).intake;
	const times = { at: new Map<string, number>(), stored: 0, first: 0, last: 0 };
	const ingestBatch = intake.ingest.bind(intake);
	intake.ingest = (entry, batch) => {
		const seq = ingestBatch(entry, batch);
		const at = now();
		if (!times.at.has(`${entry.id}/${batch.seq}`)) {
			times.at.set(`${entry.id}/${batch.seq}`, at);
			times.stored += batch.n;
			times.first ||= at;
			times.last = at;
		}
		return seq;
	};
	return times;
}

/** Each batch's latency from the actor's send to the learner's store, sorted (ms). */
function latencies(report: Report, storedAt: Map<string, number>): number[] {
	const all: number[] = [];
	for (const [id, sends] of Object.entries(report.sends)) {
		sends.forEach((sentAt, seq) => {
			const at = storedAt.get(`${id}/${seq}`);
			if (at !== undefined) all.push(at - sentAt);
		});
	}
	return all.sort((a, b) => a - b);
}

/** Saturated: stored steps per second, and the batches' send → store latency while queues are full (ms). */
async function ingest(nats: NatsServer | undefined): Promise<{ perSec: number; latencies: number[] }> {
	const { runtime, urls, close } = await learner(nats ? 'bench-ingest-bus' : 'bench-ingest-direct', { nSteps: 1_000_000, hiddenSizes: [8] }, nats);
	runtime.pause();
	const times = storeTimes(runtime);
	const report = await busActors(urls, 'ingest', INGEST_SECONDS);
	await close();
	if (times.stored === 0) throw new Error(`ingest (${nats ? 'bus' : 'direct'}): the learner stored nothing`);
	return { perSec: times.stored / ((times.last - times.first) / 1000), latencies: latencies(report, times.at) };
}

/**
 * Training: per update, from the learner's broadcast to the arrival at the last of ACTORS actors;
 * and each batch's send → store latency at this load (one 64-step batch per actor per update), ms.
 */
async function fanout(nats: NatsServer | undefined): Promise<{ fanouts: number[]; latencies: number[] }> {
	const ppo = { nSteps: 64 * ACTORS, minibatchSize: 64, updateEpochs: 4 };
	const { runtime, urls, close } = await learner(nats ? 'bench-train-bus' : 'bench-train-direct', ppo, nats);
	const sentAt = new Map<number, number>();
	const broadcast = runtime.broadcast.bind(runtime);
	runtime.broadcast = () => {
		sentAt.set(runtime.policyVersion, now());
		return broadcast();
	};
	const times = storeTimes(runtime);
	const report = await busActors(urls, 'train', TRAIN_SECONDS);
	const lastVersion = runtime.policyVersion;
	await close();
	const fanouts: number[] = [];
	for (const [version, at] of sentAt) {
		if (version < 2 || version >= lastVersion) continue; // actors still joining; cut by the end
		const arrivals = Object.values(report.weights).map((got) => got[version]);
		if (arrivals.every((t) => t !== undefined)) fanouts.push(Math.max(...arrivals) - at);
	}
	return { fanouts: fanouts.sort((a, b) => a - b), latencies: latencies(report, times.at) };
}

/** The learner SIGKILLed mid-run behind 2 gateways: steps lost and duplicated. */
async function crash(nats: NatsServer): Promise<{ lost: number; duplicated: number; recorded: number }> {
	const runId = 'bench-crash';
	const o = {
		port: await freePort(),
		runsDir: mkdtempSync(join(tmpdir(), 'pitwall-bench-crash-')),
		runId,
		args: ['--bus', nats.url, '--checkpoint-every-updates', '2', '--ppo', '{"nSteps":1024}']
	};
	let learnerProcess = new LearnerProcess(o);
	const gateways = [
		new GatewayProcess({ bus: nats.url, runId, port: await freePort(), name: 'crash-g1' }),
		new GatewayProcess({ bus: nats.url, runId, port: await freePort(), name: 'crash-g2' })
	];
	const agents: AgentProcess[] = [];
	try {
		await until(async () => gateways.every((g) => g.listening) && learnerProcess.listening, Boolean, 'the crash fleet to listen', 30_000);
		for (let i = 1; i <= 4; i++) {
			const urls = (i % 2 ? gateways : [...gateways].reverse()).map((g) => g.url).join(',');
			agents.push(new AgentProcess({ url: urls, name: `crash-${i}`, seed: i, args: ['--steps-per-policy', '256', '--batch-steps', '64'] }));
		}
		await until(
			() => learnerStatus(o.port),
			(s) => s.policyVersion >= 5,
			'training before the crash',
			90_000
		);
		await learnerProcess.kill('SIGKILL');
		learnerProcess = new LearnerProcess(o);
		await until(
			async () => learnerProcess.count(/^run resumed$/),
			(n) => n === 1,
			'the resume',
			60_000
		);
		const resumed = Number(learnerProcess.line(/^run resumed$/)!.policyVersion);
		await until(
			() => learnerStatus(o.port),
			(s) => s.policyVersion >= resumed + 3,
			'training after the crash',
			90_000
		);
		await Promise.all(agents.map((a) => a.kill('SIGTERM')));
		await new Promise((resolve) => setTimeout(resolve, 3000)); // the learner takes what the stream still holds
		await learnerProcess.kill('SIGTERM');
	} finally {
		learnerProcess.kill('SIGKILL');
		for (const a of agents) a.kill('SIGKILL');
		for (const g of gateways) g.kill('SIGKILL');
	}
	const stopped = agents.map((a) => a.stopped());
	if (stopped.some((s) => !s)) throw new Error('an agent did not log its figures at exit');
	const recorded = stopped.reduce((sum, s) => sum + s!.recordedSteps, 0);
	const neverStored = stopped.reduce((sum, s) => sum + s!.droppedSteps + s!.unstoredSteps, 0);
	const { received } = bookTotals(savedRun(o.runsDir, runId));
	return { lost: Math.max(0, recorded - neverStored - received), duplicated: Math.max(0, received - (recorded - neverStored)), recorded };
}

export async function run(): Promise<BenchResult> {
	if (!BUILT) throw new Error('bus: build/server.js or the agent bundle is not built (npm run build)');
	if (!HAVE_NATS) throw new Error(`bus: ${NO_NATS}`);
	const nats = new NatsServer(await freePort(), mkdtempSync(join(tmpdir(), 'pitwall-bench-nats-')));
	await nats.start();
	try {
		const direct = await ingest(undefined);
		const bus = await ingest(nats);
		const directTrain = await fanout(undefined);
		const busTrain = await fanout(nats);
		const crashed = await crash(nats);
		return {
			name: 'bus',
			figures: {
				busTransitionsPerSec: Math.round(bus.perSec),
				directTransitionsPerSec: Math.round(direct.perSec),
				busOverDirect: round(bus.perSec / direct.perSec, 3),
				batchLatencyP50Ms: round(percentile(busTrain.latencies, 0.5), 1),
				batchLatencyP95Ms: round(percentile(busTrain.latencies, 0.95), 1),
				directBatchLatencyP50Ms: round(percentile(directTrain.latencies, 0.5), 1),
				directBatchLatencyP95Ms: round(percentile(directTrain.latencies, 0.95), 1),
				saturatedBatchLatencyP95Ms: round(percentile(bus.latencies, 0.95), 1),
				directSaturatedBatchLatencyP95Ms: round(percentile(direct.latencies, 0.95), 1),
				weightsFanoutP50Ms: round(percentile(busTrain.fanouts, 0.5), 1),
				weightsFanoutP95Ms: round(percentile(busTrain.fanouts, 0.95), 1),
				directWeightsFanoutP95Ms: round(percentile(directTrain.fanouts, 0.95), 1),
				fanoutUpdates: busTrain.fanouts.length,
				lostAfterLearnerCrash: crashed.lost,
				duplicatedAfterLearnerCrash: crashed.duplicated,
				crashRecordedSteps: crashed.recorded,
				actors: ACTORS
			},
			targets: [
				{ key: 'lostAfterLearnerCrash', op: '==', value: 0 },
				{ key: 'duplicatedAfterLearnerCrash', op: '==', value: 0 }
			]
		};
	} finally {
		await nats.stop('SIGKILL');
	}
}
