/**
 * Heartbeat RTT while the learner trains: 4 actors (a separate process) keep PPO updating; a probe
 * socket pings /ws/actor back to back and keeps each RTT by whether an update was running in the
 * worker for the whole round trip (the figure the update must not spoil: training never runs on
 * the event loop that serves sockets) or the learner was idle. The learner integration test only
 * checks that a PING is answered during an update; the milliseconds are measured here.
 */
import WebSocket from 'ws';
import { Decoder, MessageType, encodeMessage } from '../src/lib/protocol/index.ts';
import { seedHandshake } from '../tests/fixtures/trajectory.ts';
import { percentile, round, type BenchResult } from './harness.ts';
import { loadActors, startLearner } from './learner-load.ts';

const ACTORS = 4;
const SECONDS = Number(process.env.UPDATE_RTT_SECONDS ?? 15);
/** Pause between two pings, so the probe measures the learner rather than flooding it. */
const PING_GAP_MS = 2;

function probe(url: string): Promise<{ ping: () => Promise<void>; close: () => void }> {
	const decoder = new Decoder();
	const socket = new WebSocket(url);
	let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
	let accepted: (() => void) | undefined;
	let refused = '';
	socket.on('message', (data: Buffer) => {
		const message = decoder.decode(new Uint8Array(data));
		if (message.type === MessageType.PONG) waiting?.resolve();
		else if (message.type === MessageType.HANDSHAKE_ACCEPT) accepted?.();
		else if (message.type === MessageType.ERROR) refused = `${message.code}: ${message.message}`;
	});
	// A refused probe fails the benchmark instead of waiting for a PONG forever.
	socket.on('close', (code) => waiting?.reject(new Error(`the learner closed the probe (${code}) ${refused}`)));
	let seq = 0;
	const ping = () =>
		new Promise<void>((resolve, reject) => {
			waiting = { resolve, reject };
			socket.send(encodeMessage({ type: MessageType.PING, seq: seq++, t: 0 }));
		});
	// A PING is answered only after a HANDSHAKE (docs/protocol.md): the probe is an actor that sends nothing else.
	return new Promise((resolve, reject) => {
		accepted = () => resolve({ ping, close: () => socket.close() });
		socket.once('open', () => socket.send(encodeMessage(seedHandshake('rtt-probe'))));
		socket.once('error', reject);
	});
}

export async function run(): Promise<BenchResult> {
	const { runtime, server, url } = await startLearner({ nSteps: 64 * ACTORS, minibatchSize: 64, updateEpochs: 4 });
	const load = loadActors(url, ACTORS, 'train', SECONDS);
	const { ping, close } = await probe(url);
	const during: number[] = [];
	const idle: number[] = [];
	const until = performance.now() + SECONDS * 1000;
	while (performance.now() < until) {
		const updatingBefore = runtime.training.state === 'updating';
		const t = performance.now();
		await ping();
		const rtt = performance.now() - t;
		const updatingAfter = runtime.training.state === 'updating';
		if (updatingBefore && updatingAfter) during.push(rtt);
		else if (!updatingBefore && !updatingAfter) idle.push(rtt);
		await new Promise((resolve) => setTimeout(resolve, PING_GAP_MS));
	}
	close();
	await load;
	const updates = runtime.status().updates;
	await server.close();
	during.sort((a, b) => a - b);
	idle.sort((a, b) => a - b);
	if (!during.length) throw new Error(`no ping landed during any of ${updates} updates`);
	return {
		name: 'update-rtt',
		figures: {
			seconds: SECONDS,
			updates,
			pingsDuringUpdate: during.length,
			rttDuringUpdateP50Ms: round(percentile(during, 0.5)),
			rttDuringUpdateP99Ms: round(percentile(during, 0.99)),
			rttDuringUpdateMaxMs: round(during[during.length - 1]),
			pingsIdle: idle.length,
			rttIdleP50Ms: round(percentile(idle, 0.5)),
			rttIdleP99Ms: round(percentile(idle, 0.99))
		},
		targets: [
			{ key: 'rttDuringUpdateP99Ms', op: '<=', value: 10 },
			{ key: 'rttDuringUpdateMaxMs', op: '<=', value: 50 }
		]
	};
}
