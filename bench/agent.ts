/**
 * The agent's per-step cost and timing: snapshot → observation → 2×64 policy (the actor network;
 * agents skip the critic, the learner recomputes values) → smoothing →
 * transition record (the simulated car's pages read through the AC reader, physics excluded),
 * the real-time stepper's jitter at 100 Hz, and the resident memory of a real agent process
 * training against a learner (from its heartbeats).
 */
import { Track } from '../bridge-agent/src/driving/track.ts';
import { SimWorld } from '../bridge-agent/src/sim/sim-world.ts';
import { initParams, policyLayout } from '../src/lib/ppo/layout.ts';
import { Rng } from '../src/lib/ppo/random.ts';
import { weightsMessage } from '../src/lib/ppo/weights.ts';
import { ACTION_DIM, Agent } from '../bridge-agent/src/agent.ts';
import { Stepper } from '../bridge-agent/src/control/stepper.ts';
import { createLogger } from '../bridge-agent/src/log.ts';
import { OBS_DIM } from '../bridge-agent/src/rl/observation.ts';
import { percentile, round, type BenchResult } from './harness.ts';
import { startSimFleet } from './sim-fleet.ts';

const STEPS = 20_000;
const JITTER_HZ = 100;
const JITTER_SECONDS = Number(process.env.AGENT_JITTER_SECONDS ?? 10);

/** Time passes elsewhere, as with AC: advance() does nothing, so only the agent's work is timed. */
class FrozenSim extends SimWorld {
	override advance(): void {}
}

/** Peak RSS a real agent process reports while it drives at full speed and trains for `seconds`. */
async function agentProcessRssMb(seconds: number): Promise<number> {
	const fleet = await startSimFleet({ name: 'agent-bench', actors: 1, track: 'mixed', ppo: { nSteps: 1024 } });
	let peak = 0;
	try {
		for (let t = 0; t < seconds; t++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			for (const actor of fleet.runtime.actorInfos()) peak = Math.max(peak, actor.health?.rssMb ?? 0);
		}
	} finally {
		await fleet.stop();
	}
	if (!peak) throw new Error('the agent process never reported its memory');
	return peak;
}

export async function run(): Promise<BenchResult> {
	const log = createLogger({ level: 'error', json: false, name: 'bench' });
	const world = new FrozenSim(Track.named('oval'), 1); // parked at speed on the straight
	world.sim.apply({ steer: 0, throttle: 1, brake: 0 });
	for (let i = 0; i < 100; i++) world.sim.step(0.05); // moving, so every feature is live
	const agent = new Agent(world, {
		controlHz: 20,
		mode: 'local',
		smoothing: 'moderate',
		batchSteps: 256,
		seed: 1,
		stepsPerPolicy: 0,
		log,
		reward: { maxEpisodeSec: 1e9 }
	});
	const layout = policyLayout(OBS_DIM, ACTION_DIM, [64, 64]);
	const error = agent.loadWeights(weightsMessage(layout, initParams(layout, new Rng(1), -0.5), 1));
	if (error) throw new Error(error);
	const times = new Float64Array(STEPS);
	for (let i = 0; i < 2000; i++) agent.tick(); // warm up
	for (let i = 0; i < STEPS; i++) {
		const t = performance.now();
		if (agent.tick() === 'wait') throw new Error('the agent stopped working during the benchmark');
		times[i] = (performance.now() - t) * 1000;
	}
	times.sort();

	const stepper = new Stepper(1000 / JITTER_HZ);
	await stepper.run(() => stepper.ticks + 1 < JITTER_HZ * JITTER_SECONDS);
	const stats = stepper.stats();
	const agentRssMb = await agentProcessRssMb(Number(process.env.AGENT_RSS_SECONDS ?? 15));
	return {
		name: 'agent',
		figures: {
			stepOverheadP50Us: round(percentile(times, 0.5), 1),
			stepOverheadP99Us: round(percentile(times, 0.99), 1),
			jitterP50Ms: round(stats.jitterP50Ms, 3),
			jitterP99Ms: round(stats.jitterP99Ms, 3),
			missedTicks: stats.overruns,
			achievedHz: round(stats.achievedHz, 2),
			agentRssMb
		},
		targets: [
			{ key: 'stepOverheadP99Us', op: '<=', value: 20 },
			{ key: 'jitterP99Ms', op: '<=', value: 1 },
			{ key: 'missedTicks', op: '==', value: 0 }
		]
	};
}
