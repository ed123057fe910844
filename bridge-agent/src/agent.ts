/**
 * The control loop: snapshot → observation → policy → clip (non-finite → neutral) → smoothing →
 * car; then reward and episode ends, transitions into columnar segments, batches to the learner.
 * Local mode samples the pure-TS policy from the latest WEIGHTS_UPDATE; remote mode plays
 * CONTROL_BATCH chunks and asks for the next one before the current runs out. Without a fresh
 * action for DEADMAN_MS the car gets neutral controls. On EVALUATE, local mode drives the next
 * episodes with the policy's deterministic action (rl/evaluation.ts). Each completed lap goes to
 * the learner as a LAP with its trace (driving/lap-tracker.ts), the track as a TRACK per session.
 */
import { MessageType, type ActorStats, type ControlBatch, type Evaluate, type TelemetryFrame, type WeightsUpdate } from '../../src/lib/protocol/index.ts';
import { SegmentRecorder } from '../../src/lib/transitions/index.ts';
import { Rng } from '../../src/lib/ppo/random.ts';
import { policyFromWeights, type ActorPolicy } from '../../src/lib/policy/index.ts';
import { NEUTRAL, toControls } from './control/smoothing.ts';
import { LapTracker, TRACE_HZ } from './driving/lap-tracker.ts';
import { SECTOR_BOUNDARIES, describeTrack } from './driving/track-description.ts';
import type { LearnerLink } from './link/learner-link.ts';
import type { Logger } from './log.ts';
import { Driving } from './rl/driving.ts';
import { EvaluationPlan } from './rl/evaluation.ts';
import { OBS_DIM } from './rl/observation.ts';
import { ACTION_DIM } from './rl/spaces.ts';
import type { RewardConfig } from './rl/reward.ts';
import type { Snapshot } from './sources/ac-reader.ts';
import type { World } from './world.ts';

export { ACTION_DIM };
/** No fresh action for this long (policy stall, learner gone in remote mode) → neutral controls. */
export const DEADMAN_MS = 250;
/** Remote mode asks for the next chunk when this few actions are left. */
export const REQUEST_AHEAD = 3;
/** A chunk request unanswered this long is sent again. */
export const REQUEST_TIMEOUT_MS = 500;

export interface AgentOptions {
	controlHz: number;
	mode: 'local' | 'remote';
	smoothing: string;
	batchSteps: number;
	seed: number;
	reward?: Partial<RewardConfig>;
	log: Logger;
	/**
	 * With the sim at full speed: steps per policy version before the agent waits for new weights
	 * (0 = never wait). Keeps fast simulated actors from flooding the learner with samples it would
	 * drop as stale — synchronous PPO, as the reference implementations collect.
	 */
	stepsPerPolicy: number;
	/** Stepper figures for heartbeats. */
	stepperStats?: () => { jitterP50Ms: number; jitterP99Ms: number; overruns: number; achievedHz: number };
}

export class Agent {
	link: LearnerLink | undefined;
	policy: ActorPolicy | undefined;
	policyVersion = 0;
	private chunk: { actions: Float32Array; logProb: Float32Array; next: number; k: number; version: number; at: number } | undefined;
	private requestId = 0;
	private requested = 0;
	private requestedAt = 0;
	private readonly rng: Rng;
	private readonly driving: Driving;
	private readonly dt: number;
	private readonly recorder: SegmentRecorder;
	private readonly evaluation = new EvaluationPlan();
	private readonly laps: LapTracker;
	private episodeReturn = 0;
	private resetting = false;
	private telemetryIntervalMs = 200;
	private lastTelemetryAt = 0;
	/** Steps recorded with the current policy version (see AgentOptions.stepsPerPolicy). */
	private stepsThisVersion = 0;
	/** Why the game cannot be driven ('' while it can): see World.hold. */
	private held = '';
	/** Times the game stopped being drivable mid-run. */
	holds = 0;
	steps = 0;
	episodes = 0;
	neutralActions = 0;
	lastReturn: number | null = null;
	readonly lapTimes: number[] = [];
	onEpisode?: (summary: { return: number; length: number; reason: string; cleanLaps: number[] }) => void;

	constructor(
		readonly world: World,
		readonly o: AgentOptions
	) {
		this.rng = new Rng(o.seed);
		this.dt = 1 / o.controlHz;
		this.driving = new Driving(world, o.smoothing, this.dt, o.reward);
		this.recorder = new SegmentRecorder({ obsDim: OBS_DIM, actionDim: ACTION_DIM }, o.batchSteps);
		this.laps = new LapTracker(SECTOR_BOUNDARIES, Math.min(o.controlHz, TRACE_HZ));
		this.laps.restart(this.driving.snapshot);
	}

	private get obs(): Float32Array {
		return this.driving.obs;
	}

	/** Loads weights; returns '' or the reason they were refused (the old policy stays). */
	loadWeights(update: WeightsUpdate): string {
		try {
			this.policy = policyFromWeights(update, { obsDim: OBS_DIM, actionDim: ACTION_DIM });
			this.policy.computeValue = false; // the learner recomputes values: half the work per step
			if (update.manifest.policyVersion !== this.policyVersion) this.stepsThisVersion = 0;
			this.policyVersion = update.manifest.policyVersion;
			return '';
		} catch (error) {
			return (error as Error).message;
		}
	}

	/** EVALUATE: local mode only (in remote mode the learner chooses every action). */
	evaluate(request: Evaluate): void {
		if (this.o.mode !== 'local') return this.o.log.warn('EVALUATE ignored: remote-mode actors drive the actions the learner sends');
		this.o.log.info('evaluation requested', { evalId: request.evalId, episodes: request.episodes });
		this.evaluation.request(request);
	}

	onControl(chunk: ControlBatch): void {
		this.chunk = { actions: chunk.actions, logProb: chunk.logProb, next: 0, k: chunk.k, version: chunk.policyVersion, at: performance.now() };
	}

	/** Telemetry for the live view goes at this rate of wall-clock time, whatever the sim speed. */
	setTelemetryHz(hz: number): void {
		this.telemetryIntervalMs = 1000 / hz;
	}

	/** True while the agent waits for newer weights (it used up stepsPerPolicy on this version). */
	get waitingForPolicy(): boolean {
		return this.o.mode === 'local' && (!this.policy || (this.o.stepsPerPolicy > 0 && this.stepsThisVersion >= this.o.stepsPerPolicy));
	}

	/** The next action with its log-prob and policy version; undefined when there is none. */
	private decide(): { action: Float32Array; logProb: number; version: number } | undefined {
		if (this.o.mode === 'local') {
			if (!this.policy) return undefined;
			// Evaluation episodes act deterministically: no noise, the action is the mean.
			const { action, logProb } = this.policy.act(this.obs, this.evaluation.evalId === undefined ? this.rng : undefined);
			return { action, logProb, version: this.policyVersion };
		}
		const chunk = this.chunk;
		const left = chunk ? chunk.k - chunk.next : 0;
		// Ask again when an answer is overdue (no policy yet on the learner, a lost frame).
		const overdue = this.requested !== 0 && performance.now() - this.requestedAt > REQUEST_TIMEOUT_MS;
		if (left <= REQUEST_AHEAD && (this.requested === 0 || overdue) && this.link?.connected) {
			this.requested = ++this.requestId;
			this.requestedAt = performance.now();
			this.link.sendTelemetry(this.frame(), this.obs, this.requested);
		}
		if (chunk && chunk.next < chunk.k && performance.now() - chunk.at < DEADMAN_MS + chunk.k * this.dt * 1000) {
			const i = chunk.next++;
			if (chunk.next === 1) this.requested = 0;
			return { action: chunk.actions.slice(i * ACTION_DIM, (i + 1) * ACTION_DIM), logProb: chunk.logProb[i], version: chunk.version };
		}
		return undefined;
	}

	/** One control period; 'wait' when a full-speed sim has nothing to do until new weights arrive. */
	tick(): true | 'wait' {
		if (this.resetting) return 'wait';
		const hold = this.world.hold?.() ?? '';
		if (hold) {
			this.hold(hold);
			return true;
		}
		if (this.held) this.resume();
		if (this.o.stepsPerPolicy > 0 && this.waitingForPolicy) return 'wait';
		const decision = this.decide();
		let controls = NEUTRAL;
		if (decision) {
			const { controls: c, neutral } = toControls(decision.action);
			if (neutral) this.neutralActions++;
			controls = c;
		} else this.neutralActions++;
		const obs = this.obs;
		const outcome = this.driving.step(controls);
		const nextObs = this.obs;

		if (decision && decision.action.every(Number.isFinite)) {
			// Transitions only for actions a policy chose (with their behaviour log-prob).
			this.recorder.push({ obs, action: decision.action, reward: outcome.reward, logProb: decision.logProb, policyVersion: decision.version });
			this.episodeReturn += outcome.reward;
			this.steps++;
			// Steps the learner never gets do not use up the version's budget (it would wait for them).
			if (this.evaluation.recording) this.stepsThisVersion++;
		}
		const lap = this.laps.feed(this.driving.snapshot);
		if (lap) this.link?.sendLap({ ...lap, episodeId: this.recorder.episodeId, policyVersion: this.policyVersion, ...evalField(this.evaluation.evalId) });
		const ended = outcome.terminated || outcome.truncated;
		const budgetUsed = this.o.stepsPerPolicy > 0 && this.stepsThisVersion >= this.o.stepsPerPolicy;
		if (ended || budgetUsed || this.recorder.full) this.flush(nextObs, outcome.terminated, outcome.truncated);
		const now = performance.now();
		if (this.o.mode === 'local' && now - this.lastTelemetryAt >= this.telemetryIntervalMs) {
			this.lastTelemetryAt = now;
			this.link?.sendTelemetry(this.frameOf(this.driving.snapshot));
		}
		if (ended) this.endEpisode(outcome.reason, outcome.terminated, outcome.truncated);
		return true;
	}

	/**
	 * The game is not drivable: neutral controls every period (so the dead-man never sees a gap),
	 * the episode so far ends truncated, and nothing is recorded until it is back.
	 */
	private hold(reason: string): void {
		this.world.apply({ ...NEUTRAL });
		const kind = (r: string) => r.split(/[:( ]/)[0];
		if (!this.held || kind(reason) !== kind(this.held)) this.o.log.warn(`game not live: ${reason}; controls neutral, nothing recorded until it is back`);
		if (!this.held) {
			this.holds++;
			if (this.recorder.stepIndex > 0) {
				this.flush(this.obs, false, true);
				this.link?.sendEpisode({
					episodeId: this.recorder.episodeId,
					return: this.episodeReturn,
					length: this.recorder.stepIndex,
					endReason: 'interrupted',
					terminated: false,
					truncated: true,
					lapTimesMs: [],
					cleanLaps: 0,
					policyVersion: this.policyVersion,
					...evalField(this.evaluation.episodeEnds())
				});
				this.episodes++;
				this.lastReturn = this.episodeReturn;
				this.recorder.nextEpisode();
				this.episodeReturn = 0;
			}
			this.chunk = undefined;
		}
		this.held = reason;
	}

	/** The game is back: a new episode from where the car is. */
	private resume(): void {
		this.o.log.info('game live again: resuming with a new episode');
		this.held = '';
		this.driving.restart();
		this.laps.restart(this.driving.snapshot);
		this.evaluation.episodeStarts();
	}

	private flush(finalObs: Float32Array, terminated: boolean, truncated: boolean): void {
		const block = this.recorder.flush(finalObs, terminated, truncated);
		if (block && this.evaluation.recording) this.link?.sendBatch({ type: MessageType.TRANSITION_BATCH, ...block });
	}

	private endEpisode(reason: string, terminated: boolean, truncated: boolean): void {
		const laps = [...this.world.cleanLaps()];
		this.lapTimes.push(...laps);
		this.episodes++;
		this.lastReturn = this.episodeReturn;
		const { episodeId, stepIndex: length } = this.recorder;
		const summary = { return: this.episodeReturn, length, reason, cleanLaps: laps };
		this.link?.sendEpisode({
			episodeId,
			return: this.episodeReturn,
			length,
			endReason: reason,
			terminated,
			truncated,
			lapTimesMs: laps,
			cleanLaps: laps.length,
			policyVersion: this.policyVersion,
			...evalField(this.evaluation.episodeEnds())
		});
		this.onEpisode?.(summary);
		this.o.log.debug('episode', { ...summary });
		this.recorder.nextEpisode();
		this.evaluation.episodeStarts();
		this.episodeReturn = 0;
		this.chunk = undefined;
		this.resetting = true;
		this.world.reset().then((ok) => {
			const detail = this.world.resetDetail;
			if (!ok) this.o.log.warn('reset not confirmed by telemetry', detail ? { detail } : {});
			else if (detail) this.o.log.info('reset confirmed', { detail });
			this.driving.restart();
			this.laps.restart(this.driving.snapshot);
			this.resetting = false;
		});
	}

	private frameOf(s: Snapshot): TelemetryFrame {
		const [x, y, z] = s.graphics.carCoordinates;
		return {
			t: Date.now(),
			speedKmh: s.physics.speedKmh,
			steer: s.physics.steerAngle,
			gas: s.physics.gas,
			brake: s.physics.brake,
			gear: s.physics.gear - 1,
			rpm: s.physics.rpms,
			x,
			y,
			z,
			lapPosition: s.graphics.normalizedCarPosition,
			completedLaps: s.graphics.completedLaps,
			lapTimeMs: s.graphics.iCurrentTime,
			lastLapMs: s.graphics.iLastTime,
			bestLapMs: s.graphics.iBestTime,
			tyresOut: s.physics.numberOfTyresOut
		};
	}

	frame(): TelemetryFrame {
		return this.frameOf(this.driving.snapshot);
	}

	stats(): ActorStats {
		const s = this.o.stepperStats?.() ?? { jitterP50Ms: 0, jitterP99Ms: 0, overruns: 0, achievedHz: 0 };
		return {
			controlHz: s.achievedHz,
			jitterP50Ms: s.jitterP50Ms,
			jitterP99Ms: s.jitterP99Ms,
			overruns: s.overruns,
			steps: this.steps,
			episodes: this.episodes,
			bufferedSteps: this.link?.bufferedSteps ?? 0,
			droppedSteps: this.link?.droppedSteps ?? 0,
			neutralActions: this.neutralActions,
			policyVersion: this.policyVersion,
			rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20)
		};
	}

	/** A (re)connected learner: a fresh per-version step budget (so nobody waits on the other), and our track. */
	onSession(): void {
		this.stepsThisVersion = 0;
		this.link?.sendTrack(describeTrack(this.world.track));
	}

	/** Neutral controls, whatever happens next (every exit path calls this), and the last steps sent. */
	stop(): void {
		this.world.apply({ ...NEUTRAL });
		this.flush(this.obs, false, false);
	}
}

const evalField = (evalId: number | undefined) => (evalId === undefined ? {} : { evalId });
