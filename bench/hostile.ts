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
 *                        (the hostile client runs as its own process at nice 19, bench/hostile-client.ts:
 *                        on a machine it shares with the learner it gets the cores the learner leaves
 *                        idle, so the figure is what refusing it costs the learner, not what the
 *                        attacker's own CPU costs a small machine)
 *   rssGrowthPct         learner RSS growth over the attack — target < 10 (the baseline starts once
 *                        the learner's RSS is flat: the trainer's first updates grow it on their own)
 *   nonFiniteBroadcasts  weights with a NaN/Inf the watcher received — target 0
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Decoder, encodeMessage, MessageType } from '../src/lib/protocol/index.ts';
import { ACTOR_TOKEN, BUILT, freePort, LearnerProcess } from '../tests/fixtures/fleet.ts';
import { round, type BenchResult } from './harness.ts';
import { hello, type Tally } from './hostile-client.ts';

const SECONDS = Number(process.env.HOSTILE_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.HOSTILE_CONNECTIONS ?? 24);
/** The baseline starts once the learner's RSS moved less than this over RSS_FLAT_SEC (or after WARMUP_MAX_SEC). */
const RSS_FLAT_FRACTION = 0.02;
const RSS_FLAT_SEC = 10;
const WARMUP_MAX_SEC = 120;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
/** CPU seconds a process has used (all its threads: the learner's trainer worker included). */
const cpuSec = (pid: number) => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ 100)
};

/** Waits until the learner's RSS is flat; returns the seconds it took. */
async function warmUp(pid: number): Promise<number> {
	const samples: number[] = [];
	for (let t = 0; t < WARMUP_MAX_SEC; t++) {
		samples.push(rssMb(pid));
		const before = samples.at(-1 - RSS_FLAT_SEC);
		if (before !== undefined && Math.abs(samples.at(-1)! - before) / before < RSS_FLAT_FRACTION) return t;
		await sleep(1000);
	}
	return WARMUP_MAX_SEC;
}

/** Runs bench/hostile-client.ts against `url` for `seconds`; resolves with its tally once it has exited. */
function hostileClient(url: string, seconds: number): Promise<Tally & { cpuSec: number }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'bench/hostile-client.ts', url, String(CONNECTIONS), String(seconds)], {
			stdio: ['ignore', 'pipe', 'inherit']
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`hostile-client exited ${code}`))));
	});
}

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

export async function run(): Promise<BenchResult> {
	if (!BUILT) throw new Error('hostile needs the built server and agent: npm run build');
	const port = await freePort();
	const args = ['--log-level', 'warn', '--ppo', '{"nSteps":1024}', '--max-actors', String(CONNECTIONS + 8)];
	const learner = new LearnerProcess({ port, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-hostile-')), runId: 'hostile', simActors: 2, args });
	try {
		await sleep(3000);
		const watcher = new Watcher(learner.url);
		while (watcher.broadcasts < 3) await sleep(100);
		const warmupSec = await warmUp(learner.pid);
		const baseStart = watcher.broadcasts;
		const baseCpu = cpuSec(learner.pid);
		const rssBase = rssMb(learner.pid);
		await sleep(SECONDS * 1000);
		const baseline = (watcher.broadcasts - baseStart) / SECONDS;
		const learnerCpuBase = (cpuSec(learner.pid) - baseCpu) / SECONDS;

		const rss0 = rssMb(learner.pid);
		const client = hostileClient(learner.url, SECONDS);
		const attackStart = watcher.broadcasts;
		const attackCpu0 = cpuSec(learner.pid);
		let rssMax = rss0;
		for (let t = 0; t < SECONDS; t++) {
			await sleep(1000);
			if (learner.alive) rssMax = Math.max(rssMax, rssMb(learner.pid));
		}
		const underAttack = (watcher.broadcasts - attackStart) / SECONDS;
		const learnerCpuAttack = learner.alive ? (cpuSec(learner.pid) - attackCpu0) / SECONDS : NaN;
		const tally = await client;
		await sleep(2000);
		const rss1 = learner.alive ? rssMb(learner.pid) : NaN;
		const internal = learner.lines.filter((l) => l.code === 'INTERNAL').length;
		const crashes = (learner.alive ? 0 : 1) + internal;
		watcher.socket.close();
		return {
			name: 'hostile',
			figures: {
				seconds: SECONDS,
				warmupSec,
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
				attackerCores: round(tally.cpuSec / SECONDS, 2),
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
