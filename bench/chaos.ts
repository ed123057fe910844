/**
 * Chaos: 4 simulated actors train — 2 agent processes as on game PCs, and the learner's own 2
 * simulated children — while agent processes are SIGKILLed ×20 (each restarted at once, under a
 * new incarnation name so its books can be told apart) and the learner is SIGKILLed ×3 (restarted
 * with its run id). Then everything stops gracefully and the books are read from the final
 * checkpoint.
 *
 *   recorded        steps the agent processes recorded (each logs every batch it records)
 *   trained, dropped*  the learner's books for those processes
 *   lostWithKilledAgents  steps a SIGKILLed agent process recorded but never got stored: they die
 *                   with the process (a game PC that loses power); not a learner loss
 *   unaccounted     for every agent process that was not SIGKILLed: recorded − received −
 *                   dropped by the agent − unstored at exit (target 0)
 *   resumeSec*      learner restarted → its first update
 *   orphans         children of killed learners still alive 10 s after their parent died
 *   metricsMonotonic  metrics.jsonl and TensorBoard (both loaders' views) strictly increasing
 * The learner's own children die with it (by design) and what they had not made durable with
 * them: their books are reported apart (childrenReceived) and left out of `recorded`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, BUILT, freePort, LearnerProcess, metricSteps, savedBooks, savedRun, strictlyIncreasing } from '../tests/fixtures/fleet.ts';
import { tensorboardView } from '../tests/fixtures/tfevents-reader.ts';
import { percentile, round, type BenchResult } from './harness.ts';

const SECONDS = Number(process.env.CHAOS_SECONDS ?? 150);
const AGENT_KILLS = 20;
const LEARNER_KILLS = 3;
const SLOTS = 2;
const LEARNER_ARGS = ['--checkpoint-every-updates', '3', '--log-level', 'debug'];
// 512 steps per policy version each: with the children's 1024 each, the learner's store (2 × nSteps) never has to overflow.
const AGENT_ARGS = ['--log-level', 'debug', '--learner-timeout-ms', '3000', '--batch-steps', '128', '--steps-per-policy', '512'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

export async function run(): Promise<BenchResult> {
	if (!BUILT) throw new Error('chaos needs the built server and agent: npm run build');
	const port = await freePort();
	const o = { port, runsDir: mkdtempSync(join(tmpdir(), 'pitwall-chaos-')), runId: 'chaos', simActors: 2, args: LEARNER_ARGS };
	let learner = new LearnerProcess(o);
	const url = learner.url;
	const agents: AgentProcess[] = [];
	const killed = new Set<AgentProcess>();
	const current: AgentProcess[] = [];
	const start = (slot: number) => {
		const agent = new AgentProcess({ url, name: `pc-${slot}-${agents.length}`, seed: 100 + agents.length, args: AGENT_ARGS });
		agents.push(agent);
		current[slot] = agent;
	};
	for (let slot = 0; slot < SLOTS; slot++) start(slot);

	const resumeSec: number[] = [];
	const orphanCandidates: number[] = [];
	const began = Date.now();
	const at = (fraction: number) => began + fraction * SECONDS * 1000;
	const agentKillsAt = Array.from({ length: AGENT_KILLS }, (_, i) => at((i + 0.5) / (AGENT_KILLS + 1)));
	const learnerKillsAt = Array.from({ length: LEARNER_KILLS }, (_, i) => at((i + 1) / (LEARNER_KILLS + 1)));
	let agentKills = 0;
	let learnerKills = 0;
	try {
		while (Date.now() < at(1)) {
			if (agentKills < AGENT_KILLS && Date.now() >= agentKillsAt[agentKills]) {
				const slot = agentKills % SLOTS;
				killed.add(current[slot]);
				await current[slot].kill('SIGKILL');
				start(slot);
				agentKills++;
			}
			if (learnerKills < LEARNER_KILLS && Date.now() >= learnerKillsAt[learnerKills]) {
				orphanCandidates.push(...learner.children());
				await learner.kill('SIGKILL');
				const restartedAt = Date.now();
				learner = new LearnerProcess(o);
				const restarted = learner;
				void (async () => {
					while (restarted.alive && restarted.count(/^update$/) === 0) await sleep(20);
					if (restarted.count(/^update$/) > 0) resumeSec.push((Date.now() - restartedAt) / 1000);
				})();
				learnerKills++;
			}
			await sleep(50);
		}
		await sleep(10_000); // the last learner's first update, and the last orphans' grace
		const orphans = orphanCandidates.filter(alive).length;
		await Promise.all(current.map((a) => a.kill('SIGTERM')));
		await learner.kill('SIGTERM');
		return figures(o, agents, killed, resumeSec, orphans);
	} finally {
		learner.kill('SIGKILL');
		for (const a of agents) a.kill('SIGKILL');
	}
}

function figures(o: { runsDir: string; runId: string }, agents: AgentProcess[], killed: Set<AgentProcess>, resumeSec: number[], orphans: number): BenchResult {
	const books = savedBooks(savedRun(o.runsDir, o.runId));
	const logged = (agent: AgentProcess, msg: string) => agent.lines.reduce((n, l) => n + (l.msg === msg ? Number(l.n) : 0), 0);
	let recorded = 0;
	let unaccounted = 0;
	let lostWithKilledAgents = 0;
	let agentOverflow = 0;
	for (const agent of agents) {
		const own = logged(agent, 'batch recorded');
		const dropped = logged(agent, 'batch dropped: buffer full');
		const { received } = books.counts(agent.o.name);
		recorded += own;
		agentOverflow += dropped;
		if (killed.has(agent)) lostWithKilledAgents += own - received - dropped;
		else unaccounted += own - received - dropped - (agent.stopped()?.unstoredSteps ?? own);
	}
	const sum = books.totals(agents.map((a) => a.o.name));
	const children = books.totals(books.actorIds().filter((id) => id.startsWith('sim-')));
	const steps = metricSteps(o.runsDir, o.runId);
	const dir = join(o.runsDir, o.runId);
	const tbMonotonic = (['python', 'rust'] as const).every((loader) => Object.values(tensorboardView(dir, loader)).every((s) => strictlyIncreasing(s.steps)));
	const sorted = [...resumeSec].sort((a, b) => a - b);
	const droppedByReason = {
		stale: sum.stale,
		overflow: sum.overflow,
		rejected: sum.rejected,
		refused: sum.refused,
		agentOverflow,
		skippedBatches: sum.skippedBatches
	};
	return {
		name: 'chaos',
		figures: {
			seconds: SECONDS,
			agentProcesses: agents.length,
			agentKills: killed.size,
			learnerKills: resumeSec.length,
			recorded,
			received: sum.received,
			trained: sum.trained,
			held: sum.held,
			droppedByReason: JSON.stringify(droppedByReason),
			resentBatches: agents.reduce((n, a) => n + a.lines.reduce((m, l) => m + (l.msg === 'connected to learner' ? Number(l.resending) : 0), 0), 0),
			lostWithKilledAgents,
			unaccounted,
			childrenReceived: children.received,
			childrenTrained: children.trained,
			resumeSecP50: round(percentile(sorted, 0.5), 2),
			resumeSecMax: round(sorted.at(-1) ?? NaN, 2),
			orphans,
			metricsMonotonic: String(strictlyIncreasing(steps) && tbMonotonic)
		},
		targets: [
			{ key: 'unaccounted', op: '==', value: 0 },
			{ key: 'resumeSecMax', op: '<=', value: 15 },
			{ key: 'orphans', op: '==', value: 0 }
		]
	};
}
