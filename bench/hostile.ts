/**
 * Hostile peers: the built learner trains with its 2 simulated actors, alone (baseline) and while
 * a hostile client holds HOSTILE_CONNECTIONS connections at once — the two alternate, 4 × 15 s
 * each by default (HOSTILE_SECONDS in all per phase) — and sends, in bursts,
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
 *   rssGrowthPct         learner RSS growth from the end of the first baseline slice to 2 s after the
 *                        last attack — target < 10 (measuring starts once the learner's RSS is flat:
 *                        the trainer's first updates grow it on their own)
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
/** Measuring starts once the learner's RSS moved less than this over RSS_FLAT_SEC (or after WARMUP_MAX_SEC). */
const RSS_FLAT_FRACTION = 0.02;
const RSS_FLAT_SEC = 10;
const WARMUP_MAX_SEC = 120;
/** Baseline and attack alternate this many times, SECONDS / ROUNDS each; a pause settles SETTLE_MS before the next baseline. */
const ROUNDS = 4;
const SETTLE_MS = 1000;
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

/** bench/hostile-client.ts against `url`, told when to attack and when to pause. */
class HostileClient {
	private readonly child;
	private out = '';
	private waiting: { line: string; resolve: () => void } | undefined;
	private readonly exited: Promise<Tally & { cpuSec: number }>;
	constructor(url: string) {
		this.child = spawn(process.execPath, ['--import', 'tsx', 'bench/hostile-client.ts', url, String(CONNECTIONS)], { stdio: ['pipe', 'pipe', 'inherit'] });
		this.child.stdout.on('data', (d) => {
			this.out += d;
			if (this.waiting && this.out.includes(`ok ${this.waiting.line}\n`)) {
				this.out = '';
				this.waiting.resolve();
			}
		});
		this.exited = new Promise((resolve, reject) =>
			this.child.on('exit', (code) =>
				code === 0 ? resolve(JSON.parse(this.out.trim().split('\n').pop()!)) : reject(new Error(`hostile-client exited ${code}`))
			)
		);
	}
	/** Sends `attack` or `pause`; resolves once the client has done it. */
	command(line: 'attack' | 'pause'): Promise<void> {
		return new Promise((resolve) => {
			this.waiting = { line, resolve };
			this.child.stdin.write(`${line}\n`);
		});
	}
	exit(): Promise<Tally & { cpuSec: number }> {
		this.child.stdin.write('exit\n');
		return this.exited;
	}
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
		const client = new HostileClient(learner.url);
		await client.command('pause'); // started (and its start-up CPU spent) before anything is measured
		const rssBase = rssMb(learner.pid);
		const slice = (SECONDS * 1000) / ROUNDS;
		const totals = { base: 0, attack: 0, baseCpu: 0, attackCpu: 0 };
		let rss0 = NaN;
		let rssMax = 0;
		// Baseline and attack alternate, so that drift over the run (the trainer, the simulated
		// episodes, neighbours on a shared machine) falls on both alike.
		for (let round = 0; round < ROUNDS; round++) {
			let [updates, cpu] = [watcher.broadcasts, cpuSec(learner.pid)];
			await sleep(slice);
			totals.base += watcher.broadcasts - updates;
			totals.baseCpu += cpuSec(learner.pid) - cpu;
			if (round === 0) rss0 = rssMb(learner.pid);
			await client.command('attack');
			[updates, cpu] = [watcher.broadcasts, cpuSec(learner.pid)];
			for (let t = 0; t < slice; t += 1000) {
				await sleep(1000);
				if (learner.alive) rssMax = Math.max(rssMax, rssMb(learner.pid));
			}
			totals.attack += watcher.broadcasts - updates;
			totals.attackCpu += learner.alive ? cpuSec(learner.pid) - cpu : NaN;
			await client.command('pause');
			await sleep(SETTLE_MS); // the dropped connections are gone before the next baseline
		}
		const [baseline, underAttack] = [totals.base / SECONDS, totals.attack / SECONDS];
		const [learnerCpuBase, learnerCpuAttack] = [totals.baseCpu / SECONDS, totals.attackCpu / SECONDS];
		const tally = await client.exit();
		await sleep(2000);
		const rss1 = learner.alive ? rssMb(learner.pid) : NaN;
		const internal = learner.lines.filter((l) => l.code === 'INTERNAL').length;
		const crashes = (learner.alive ? 0 : 1) + internal;
		watcher.socket.close();
		return {
			name: 'hostile',
			figures: {
				seconds: SECONDS,
				rounds: ROUNDS,
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
