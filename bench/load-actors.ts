/**
 * Load generator run as a separate process by the ingest/broadcast/soak benchmarks:
 *   tsx bench/load-actors.ts <ws-url> <actors> <mode: ingest|train> <seconds>
 * ingest: each actor streams pre-encoded 100-step batches as fast as the socket drains.
 * train: each actor acks every WEIGHTS_UPDATE and then sends one 64-step batch of that version.
 * Prints one JSON line with what it sent.
 */
import WebSocket from 'ws';
import { Decoder, MessageType, encodeMessage } from '../src/lib/protocol/index.ts';
import { seedHandshake, trajectoryBatch } from '../tests/fixtures/trajectory.ts';

const [url, countText, mode, secondsText] = process.argv.slice(2);
const count = Number(countText);
const seconds = Number(secondsText);
const FRAMES_PER_ACTOR = 300;
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

let sentSteps = 0;
const decoder = new Decoder();
const sockets: WebSocket[] = [];

function actor(index: number): Promise<void> {
	return new Promise((resolve) => {
		// Masked like every real client (RFC 6455): unmasking is part of the learner's work per frame.
		const socket = new WebSocket(url);
		sockets.push(socket);
		const id = `load-${mode}-${index}`;
		let seq = 0;
		let frames: Uint8Array[] = [];
		if (mode === 'ingest') {
			// pre-encoded: the benchmark measures the learner, not this process
			frames = Array.from({ length: FRAMES_PER_ACTOR }, (_, s) => {
				const batch = trajectoryBatch(100, index * 1000 + (s % 20), s);
				batch.policyVersion.fill(0); // the learner is at version 0: nothing trains while it ingests
				return encodeMessage(batch, { columns: process.env.PITWALL_COLUMNS === 'raw' ? 'raw' : 'compact' });
			});
		}
		const pump = () => {
			while (seq < frames.length && socket.readyState === socket.OPEN && socket.bufferedAmount < HIGH_WATER_BYTES) {
				socket.send(frames[seq++]);
				sentSteps += 100;
			}
			if (seq < frames.length && socket.readyState === socket.OPEN) setTimeout(pump, 1);
		};
		socket.on('open', () => {
			socket.send(encodeMessage(seedHandshake(id)));
			resolve();
		});
		socket.on('message', (data: Buffer) => {
			const message = decoder.decode(new Uint8Array(data));
			if (message.type === MessageType.HANDSHAKE_ACCEPT && mode === 'ingest') pump();
			if (message.type === MessageType.WEIGHTS_UPDATE && mode === 'train') {
				const version = message.manifest.policyVersion;
				socket.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: version, error: '' }));
				// Ack first for every actor, then the new samples (as an agent acks before it steps on).
				setImmediate(() => {
					const batch = trajectoryBatch(64, index + seq, seq++);
					batch.policyVersion.fill(version);
					socket.send(encodeMessage(batch));
					sentSteps += 64;
				});
			}
			if (message.type === MessageType.ERROR) console.error(`${id}: ${message.code} ${message.message}`);
			if (message.type === MessageType.PING) socket.send(encodeMessage({ type: MessageType.PONG, seq: message.seq, t: message.t }));
		});
		socket.on('error', () => resolve());
	});
}

await Promise.all(Array.from({ length: count }, (_, i) => actor(i)));
setTimeout(() => {
	console.log(JSON.stringify({ sentSteps, actors: count }));
	for (const s of sockets) s.close();
	setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
