/**
 * Load generator for the bus benchmark, run as a separate process:
 *   tsx bench/bus-actors.ts <ws-urls, comma-separated> <actors> <mode: ingest|train> <seconds>
 * Actor i connects to URL i mod n (so 16 actors spread over 2 gateways).
 * ingest: each actor sends FRAMES pre-encoded 100-step batches, at most WINDOW of them unacked
 *   (an agent keeps what is not acked; a gateway acks once the bus stored a batch).
 * train: each actor acks every WEIGHTS_UPDATE and answers it with one 64-step batch of that version.
 * Prints one JSON line: steps sent and acked, each batch's send time and each version's arrival
 * time per actor (epoch ms, comparable with the benchmark process on this machine).
 */
import WebSocket from 'ws';
import { Decoder, MessageType, encodeMessage } from '../src/lib/protocol/index.ts';
import { seedHandshake, trajectoryBatch } from '../tests/fixtures/trajectory.ts';

const [urlsText, countText, mode, secondsText] = process.argv.slice(2);
const urls = urlsText.split(',');
const count = Number(countText);
const seconds = Number(secondsText);
const FRAMES = 300;
const WINDOW = 32;
const token = process.env.PITWALL_ACTOR_TOKEN ?? '';

// Wall-clock ms in both processes: performance.timeOrigin is fixed at start, and this machine's clock is adjusted while it runs.
const now = () => Date.now();
let sentSteps = 0;
let ackedSteps = 0;
const sends: Record<string, number[]> = {};
const weights: Record<string, Record<number, number>> = {};
const decoder = new Decoder();
const sockets: WebSocket[] = [];

function actor(index: number): void {
	const url = urls[index % urls.length];
	const socket = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
	sockets.push(socket);
	const id = `bus-${mode}-${index}`;
	const sent = (sends[id] = [] as number[]);
	const got = (weights[id] = {} as Record<number, number>);
	let next = 0;
	let acked = -1;
	const frames =
		mode === 'ingest'
			? Array.from({ length: FRAMES }, (_, s) => {
					const batch = trajectoryBatch(100, index * 1000 + (s % 20), s);
					batch.policyVersion.fill(0); // nothing trains while it ingests
					return encodeMessage(batch);
				})
			: [];
	const pump = () => {
		while (next < frames.length && next - acked <= WINDOW && socket.readyState === socket.OPEN) {
			sent[next] = now();
			socket.send(frames[next++]);
			sentSteps += 100;
		}
	};
	socket.on('open', () => socket.send(encodeMessage(seedHandshake(id, 'local', token))));
	socket.on('message', (data: Buffer) => {
		const message = decoder.decode(new Uint8Array(data));
		switch (message.type) {
			case MessageType.HANDSHAKE_ACCEPT:
				if (mode === 'ingest') pump();
				return;
			case MessageType.BATCH_ACK:
				if (message.seq > acked) {
					ackedSteps += (message.seq - acked) * (mode === 'ingest' ? 100 : 64);
					acked = message.seq;
				}
				return pump();
			case MessageType.WEIGHTS_UPDATE: {
				const version = message.manifest.policyVersion;
				got[version] = now();
				socket.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: version, error: '' }));
				if (mode !== 'train') return;
				setImmediate(() => {
					const batch = trajectoryBatch(64, index + next, next);
					batch.policyVersion.fill(version);
					sent[next++] = now();
					socket.send(encodeMessage(batch));
					sentSteps += 64;
				});
				return;
			}
			case MessageType.PING:
				return socket.send(encodeMessage({ type: MessageType.PONG, seq: message.seq, t: message.t }));
			case MessageType.ERROR:
				return console.error(`${id}: ${message.code} ${message.message}`);
		}
	});
	socket.on('error', (error) => console.error(`${id}: ${error.message}`));
}

for (let i = 0; i < count; i++) actor(i);
setTimeout(() => {
	console.log(JSON.stringify({ sentSteps, ackedSteps, sends, weights }));
	for (const s of sockets) s.close();
	setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
