/**
 * The hostile client of the `hostile` benchmark, run as its own process at the lowest CPU
 * priority (nice 19) so that, on a machine it shares with the learner, it takes only the time the
 * learner leaves idle — as an attacker on another machine would:
 *   tsx bench/hostile-client.ts <ws-url> <connections>
 * Commands on stdin, one per line: `attack` (open the connections and keep attacking), `pause`
 * (stop and drop every open connection at once), `exit` (print one JSON line — frames and
 * connections sent, ERRORs received, its own CPU seconds — and exit).
 */
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'fflate';
import WebSocket from 'ws';
import { driveSpecs } from '../bridge-agent/src/rl/spaces.ts';
import { encodeMessage, MessageType, type Message, type TransitionBatch } from '../src/lib/protocol/index.ts';
import { FLAG_DEFLATE, HEADER_BYTES } from '../src/lib/protocol/frame.ts';
import { ACTOR_TOKEN } from '../tests/fixtures/fleet.ts';
import { SAMPLE_MESSAGES } from '../tests/fixtures/messages.ts';
import { mutate } from '../tests/fixtures/mutate.ts';
import { Rng } from '../tests/fixtures/random.ts';
import { seedHandshake, trajectoryBatch } from '../tests/fixtures/trajectory.ts';

const BURST = 500;
export const hello = (id: string) => encodeMessage({ ...seedHandshake(id, 'local', ACTOR_TOKEN), ...driveSpecs() });

/**
 * What one hostile connection sends: frames after an optional handshake. It hangs up itself soon
 * after its burst (`lingerMs`) unless the learner closes first; `idle` ones send nothing and wait
 * for the learner's handshake timeout.
 */
type Attack = { name: string; handshake: boolean; frames: (rng: Rng) => Uint8Array[]; lingerMs?: number };

function bomb(type: number, declared: number): Uint8Array {
	const body = deflateSync(new Uint8Array(16 * 2 ** 20), { level: 9 }); // 16 MiB of zeros in ~16 KB
	const frame = new Uint8Array(HEADER_BYTES + body.length);
	frame.set([0x50, 0x57, 1, type, FLAG_DEFLATE]);
	new DataView(frame.buffer).setUint32(8, declared, true);
	frame.set(body, HEADER_BYTES);
	return frame;
}

function attacks(): Attack[] {
	const samples = Object.values(SAMPLE_MESSAGES).map((m) => encodeMessage(m as Message));
	const batch = (edit: (b: TransitionBatch) => void) => {
		const b = trajectoryBatch(64, 9, 0);
		b.policyVersion.fill(0);
		edit(b);
		return encodeMessage(b);
	};
	const absurd = [
		batch((b) => (b.reward[3] = 3e38)),
		batch((b) => (b.obs[5] = 1e30)),
		batch((b) => b.policyVersion.fill(99_999)),
		batch((b) => (b.logProb[0] = NaN))
	];
	const summary = encodeMessage(SAMPLE_MESSAGES.episodeSummary as Message);
	const telemetry = encodeMessage(SAMPLE_MESSAGES.telemetry as Message);
	const ping = encodeMessage({ type: MessageType.PING, seq: 1, t: 0 });
	const bombs = [bomb(MessageType.TRANSITION_BATCH, 1024), bomb(MessageType.TELEMETRY, 64), bomb(MessageType.HANDSHAKE, 512)];
	const pick = (pool: Uint8Array[], rng: Rng) => pool[rng.int(pool.length)];
	const burst = (make: (rng: Rng) => Uint8Array) => (rng: Rng) => Array.from({ length: BURST }, () => make(rng));
	// Mutated frames come from a pool made once (20 000 distinct mutations): the client's cores go to sending.
	const poolRng = new Rng(7);
	const mutated = Array.from({ length: 20_000 }, () => mutate(pick(samples, poolRng), poolRng));
	return [
		{ name: 'mutated before the handshake', handshake: false, frames: burst((rng) => pick(mutated, rng)) },
		{ name: 'mutated after the handshake', handshake: true, frames: burst((rng) => pick(mutated, rng)) },
		{ name: 'PING flood', handshake: true, frames: () => Array.from({ length: 5 * BURST }, () => ping) },
		{ name: 'PING before the handshake', handshake: false, frames: burst(() => ping) },
		{ name: 'episode flood', handshake: true, frames: burst(() => summary) },
		{ name: 'telemetry flood', handshake: true, frames: burst(() => telemetry) },
		{ name: 'absurd values', handshake: true, frames: burst((rng) => pick(absurd, rng)) },
		{ name: 'bombs', handshake: false, frames: (rng) => [pick(bombs, rng), pick(bombs, rng)] },
		{ name: 'idle', handshake: false, frames: () => [], lingerMs: 30_000 }
	];
}

export interface Tally {
	frames: number;
	connections: number;
	errors: number;
}

/** Every connection open now: a pause drops them all at once. */
const open = new Set<WebSocket>();

/** One hostile connection: open, send, wait for the learner to close it (idle ones: its timeout). */
function attackOnce(url: string, attack: Attack, id: string, rng: Rng, tally: Tally): Promise<void> {
	return new Promise((resolve) => {
		const socket = new WebSocket(url, { headers: { authorization: `Bearer ${ACTOR_TOKEN}` }, perMessageDeflate: false });
		open.add(socket);
		let timer: ReturnType<typeof setTimeout> | undefined;
		const done = () => (clearTimeout(timer), open.delete(socket), resolve());
		socket.on('open', () => {
			tally.connections++;
			const frames = attack.frames(rng);
			if (attack.handshake) socket.send(hello(id));
			for (const frame of frames) socket.send(frame);
			tally.frames += frames.length + (attack.handshake ? 1 : 0);
			timer = setTimeout(() => socket.terminate(), attack.lingerMs ?? 300);
		});
		socket.on('message', (data: Buffer) => {
			if (data[3] === MessageType.ERROR) tally.errors++;
		});
		socket.on('error', () => undefined);
		socket.on('close', done);
	});
}

async function main(): Promise<void> {
	const [url, connectionsText] = process.argv.slice(2);
	const connections = Number(connectionsText);
	setPriority(19);
	const tally: Tally = { frames: 0, connections: 0, errors: 0 };
	const all = attacks();
	const idle = all.filter((a) => a.name === 'idle');
	const busy = all.filter((a) => a.name !== 'idle');
	let running: Promise<void[]> | undefined;
	let stop = false;
	let next = 0;
	// Two connections at a time sit idle (they wait for the handshake timeout); the rest attack.
	const attack = () =>
		Promise.all(
			Array.from({ length: connections }, async (_, i) => {
				const rng = new Rng(1000 + i + next);
				const list = i < 2 ? idle : busy;
				while (!stop) await attackOnce(url, list[next++ % list.length], `hostile-${i}-${next}`, rng, tally);
			})
		);
	const pause = async () => {
		stop = true;
		for (const socket of open) socket.terminate();
		await running;
		running = undefined;
	};
	for await (const line of createInterface({ input: process.stdin })) {
		if (line === 'attack' && !running) {
			stop = false;
			running = attack();
		} else if (line === 'pause') await pause();
		else if (line === 'exit') break;
		console.log(`ok ${line}`);
	}
	await pause();
	const { user, system } = process.cpuUsage();
	console.log(JSON.stringify({ ...tally, cpuSec: (user + system) / 1e6 }));
	process.exit(0);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
