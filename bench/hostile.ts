/**
 * Hostile peers: the built learner trains with its 2 simulated actors, first alone (baseline),
 * then while a hostile client holds HOSTILE_CONNECTIONS connections at once and sends, in bursts,
 * mutated frames before and after a handshake, floods (PING, EPISODE_SUMMARY, telemetry), absurd
 * values (3e38 rewards, NaN, huge obs, policy versions from the future), decompression bombs
 * and idle sockets. An honest watcher actor checks every broadcast's weights.
 *
 *   hostileFrames        frames the hostile client sent (≥ 1 000 000 with the defaults)
 *   crashes              the learner exiting, plus its INTERNAL refusals (a decoder bug) — target 0
 *   honestUpdateRate     updates per second under attack ÷ the baseline's — target ≥ 0.8
 *                        (on this 2-core machine the hostile client shares the cores: this is the
 *                        whole cost of the attack, CPU contention included)
 *   rssGrowthPct         learner RSS growth over the attack — target < 10
 *   nonFiniteBroadcasts  weights with a NaN/Inf the watcher received — target 0
 */
import { mkdtempSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import WebSocket from 'ws';
import { driveSpecs } from '../bridge-agent/src/rl/spaces.ts';
import { Decoder, encodeMessage, MessageType, type Message, type TransitionBatch } from '../src/lib/protocol/index.ts';
import { FLAG_DEFLATE, HEADER_BYTES } from '../src/lib/protocol/frame.ts';
import { ACTOR_TOKEN, BUILT, freePort, LearnerProcess } from '../tests/fixtures/fleet.ts';
import { SAMPLE_MESSAGES } from '../tests/fixtures/messages.ts';
import { mutate } from '../tests/fixtures/mutate.ts';
import { Rng } from '../tests/fixtures/random.ts';
import { seedHandshake, trajectoryBatch } from '../tests/fixtures/trajectory.ts';
import { round, type BenchResult } from './harness.ts';

const SECONDS = Number(process.env.HOSTILE_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.HOSTILE_CONNECTIONS ?? 24);
const BURST = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hello = (id: string) => encodeMessage({ ...seedHandshake(id, 'local', ACTOR_TOKEN), ...driveSpecs() });
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
/** CPU seconds a process has used (all its threads: the learner's trainer worker included). */
const cpuSec = (pid: number) => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
};
const ownCpuSec = () => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1e6;
};

/** An honest local-mode actor that only watches: every WEIGHTS_UPDATE is checked and acked. */
class Watcher {
	broadcasts = 0;
	nonFinite = 0;
	private readonly decoder = new Decoder();
	readonly socket: WebSocket;
	constructor(url: string) {
		this.socket = new WebSocket(url, { headers: { authorization: `Bearer ${ACTOR_TOKEN}` }, perMessageDeflate: false });
		this.socket.on('open', () => this.socket.send(hello('watcher')));
		this.socket.on('message', (data: Buffer) => {
			const m = this.decoder.decode(new Uint8Array(data));
			if (m.type === MessageType.WEIGHTS_UPDATE) {
				this.broadcasts++;
				if (!m.data.every(Number.isFinite)) this.nonFinite++;
				this.socket.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: m.manifest.policyVersion, error: '' }));
			} else if (m.type === MessageType.PING) this.socket.send(encodeMessage({ type: MessageType.PONG, seq: m.seq, t: m.t }));
		});
	}
}

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
	return [
		{ name: 'mutated before the handshake', handshake: false, frames: burst((rng) => mutate(pick(samples, rng), rng)) },
		{ name: 'mutated after the handshake', handshake: true, frames: burst((rng) => mutate(pick(samples, rng), rng)) },
		{
			name: 'PING flood',
			handshake: true,
			frames: (rng) => [...burst(() => ping)(rng), ...burst(() => ping)(rng), ...burst(() => ping)(rng), ...burst(() => ping)(rng), ...burst(() => ping)(rng)]
		},
		{ name: 'PING before the handshake', handshake: false, frames: burst(() => ping) },
		{ name: 'episode flood', handshake: true, frames: burst(() => summary) },
		{ name: 'telemetry flood', handshake: true, frames: burst(() => telemetry) },
		{ name: 'absurd values', handshake: true, frames: burst((rng) => pick(absurd, rng)) },
		{ name: 'bombs', handshake: false, frames: (rng) => [pick(bombs, rng), pick(bombs, rng)] },
		{ name: 'idle', handshake: false, frames: () => [], lingerMs: 30_000 }
	];
}

interface Tally {
	frames: number;
	connections: number;
	errors: number;
}

/** One hostile connection: open, send, wait for the learner to close it (idle ones: its timeout). */
function attackOnce(url: string, attack: Attack, id: string, rng: Rng, tally: Tally): Promise<void> {
	return new Promise((resolve) => {
		const socket = new WebSocket(url, { headers: { authorization: `Bearer ${ACTOR_TOKEN}` }, perMessageDeflate: false });
		let timer: ReturnType<typeof setTimeout> | undefined;
		const done = () => (clearTimeout(timer), resolve());
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

export async function run(): Promise<BenchResult> {
	if (!BUILT) throw new Error('hostile needs the built server and agent: npm run build');
	const port = await freePort();
	const args = ['--log-level', 'warn', '--ppo', '{"nSteps":1024}', '--max-actors', String(CONNECTIONS + 8)];
	const learner = new LearnerProcess({ port, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-hostile-')), runId: 'hostile', simActors: 2, args });
	try {
		await sleep(3000);
		const watcher = new Watcher(learner.url);
		while (watcher.broadcasts < 3) await sleep(100);
		const baseStart = watcher.broadcasts;
		const baseCpu = cpuSec(learner.pid);
		const rssBase = rssMb(learner.pid);
		await sleep(SECONDS * 1000);
		const baseline = (watcher.broadcasts - baseStart) / SECONDS;
		const learnerCpuBase = (cpuSec(learner.pid) - baseCpu) / SECONDS;

		const rss0 = rssMb(learner.pid);
		const tally: Tally = { frames: 0, connections: 0, errors: 0 };
		const all = attacks();
		const idle = all.filter((a) => a.name === 'idle');
		const busy = all.filter((a) => a.name !== 'idle');
		let stop = false;
		let next = 0;
		// Two connections at a time sit idle (they wait for the handshake timeout); the rest attack.
		const loops = Array.from({ length: CONNECTIONS }, async (_, i) => {
			const rng = new Rng(1000 + i);
			const list = i < 2 ? idle : busy;
			while (!stop) await attackOnce(learner.url, list[next++ % list.length], `hostile-${i}-${next}`, rng, tally);
		});
		const attackStart = watcher.broadcasts;
		const [attackCpu0, ownCpu0] = [cpuSec(learner.pid), ownCpuSec()];
		let rssMax = rss0;
		for (let t = 0; t < SECONDS; t++) {
			await sleep(1000);
			if (learner.alive) rssMax = Math.max(rssMax, rssMb(learner.pid));
		}
		const underAttack = (watcher.broadcasts - attackStart) / SECONDS;
		const learnerCpuAttack = learner.alive ? (cpuSec(learner.pid) - attackCpu0) / SECONDS : NaN;
		const attackerCpu = (ownCpuSec() - ownCpu0) / SECONDS;
		stop = true;
		await Promise.all(loops);
		await sleep(2000);
		const rss1 = learner.alive ? rssMb(learner.pid) : NaN;
		const internal = learner.lines.filter((l) => l.code === 'INTERNAL').length;
		const crashes = (learner.alive ? 0 : 1) + internal;
		watcher.socket.close();
		return {
			name: 'hostile',
			figures: {
				seconds: SECONDS,
				connections: CONNECTIONS,
				hostileFrames: tally.frames,
				hostileConnections: tally.connections,
				errorsSentToHostile: tally.errors,
				crashes,
				baselineUpdatesPerSec: round(baseline, 3),
				attackedUpdatesPerSec: round(underAttack, 3),
				honestUpdateRate: round(underAttack / baseline, 3),
				learnerCoresBaseline: round(learnerCpuBase, 2),
				learnerCoresUnderAttack: round(learnerCpuAttack, 2),
				attackerCores: round(attackerCpu, 2),
				machineCores: availableParallelism(),
				learnerRssMbBefore: round(rss0, 1),
				learnerRssMbMax: round(rssMax, 1),
				learnerRssMbAfter: round(rss1, 1),
				rssGrowthPct: round(((rss1 - rss0) / rss0) * 100, 1),
				rssGrowthPctBaseline: round(((rss0 - rssBase) / rssBase) * 100, 1),
				nonFiniteBroadcasts: watcher.nonFinite
			},
			targets: [
				{ key: 'hostileFrames', op: '>=', value: 1_000_000 },
				{ key: 'crashes', op: '==', value: 0 },
				{ key: 'honestUpdateRate', op: '>=', value: 0.8 },
				{ key: 'rssGrowthPct', op: '<=', value: 10 },
				{ key: 'nonFiniteBroadcasts', op: '==', value: 0 }
			]
		};
	} finally {
		await learner.kill('SIGTERM');
	}
}
