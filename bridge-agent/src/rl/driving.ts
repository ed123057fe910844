/**
 * One control period of driving, shared by the agent and the in-process environment: controls →
 * smoothing → car → snapshot → track position → reward and episode end → next observation.
 */
import { NEUTRAL, Smoother } from '../control/smoothing.ts';
import type { Controls } from '../driving/controls.ts';
import type { Snapshot } from '../sources/ac-reader.ts';
import type { World } from '../world.ts';
import { OBS_DIM, observe, trackPosition, type TrackPosition } from './observation.ts';
import { DEFAULT_REWARD, EpisodeJudge, type RewardConfig, type StepOutcome } from './reward.ts';

export class Driving {
	snapshot: Snapshot;
	position: TrackPosition;
	/** The current observation; it stays valid until the second `step` after it. */
	obs: Float32Array;
	private readonly obsRing = [new Float32Array(OBS_DIM), new Float32Array(OBS_DIM)];
	private obsTurn = 0;
	private readonly smoother: Smoother;
	private readonly judge: EpisodeJudge;
	private readonly lastApplied: Controls = { ...NEUTRAL };

	constructor(
		readonly world: World,
		smoothing: string,
		readonly dt: number,
		reward: Partial<RewardConfig> = {}
	) {
		this.smoother = Smoother.named(smoothing);
		this.judge = new EpisodeJudge({ ...DEFAULT_REWARD, ...reward }, world.track.length);
		this.snapshot = world.reader.read();
		this.position = trackPosition(this.snapshot, world.track, -1);
		this.obs = observe(this.snapshot, world.track, this.position, this.obsRing[0]);
	}

	/** Applies controls for one period; `obs` and `snapshot` then describe the new state. */
	step(controls: Controls): StepOutcome {
		const applied = this.smoother.apply(controls, this.dt);
		this.world.apply(applied);
		this.world.advance(this.dt);
		const next = this.world.reader.next();
		const nextPosition = trackPosition(next, this.world.track, this.position.index);
		// Harshness is judged on what reached the car (after smoothing), not on exploration noise.
		const last = this.lastApplied;
		const change = Math.abs(applied.steer - last.steer) + Math.abs(applied.throttle - last.throttle) + Math.abs(applied.brake - last.brake);
		last.steer = applied.steer;
		last.throttle = applied.throttle;
		last.brake = applied.brake;
		const speed = Math.hypot(next.physics.velocity[0], next.physics.velocity[2]);
		const outcome = this.judge.step(
			this.dt,
			this.position.distance,
			nextPosition.distance,
			next.physics.numberOfTyresOut,
			speed,
			nextPosition.headingError,
			Math.min(change, 3)
		);
		this.snapshot = next;
		this.position = nextPosition;
		this.obs = observe(next, this.world.track, nextPosition, this.obsRing[(this.obsTurn ^= 1)]);
		return outcome;
	}

	/** After the world was reset: a new episode from the current state. */
	restart(): void {
		this.judge.reset();
		this.smoother.reset();
		this.lastApplied.steer = this.lastApplied.throttle = this.lastApplied.brake = 0;
		this.snapshot = this.world.reader.read();
		this.position = trackPosition(this.snapshot, this.world.track, -1);
		this.obs = observe(this.snapshot, this.world.track, this.position, this.obsRing[(this.obsTurn ^= 1)]);
	}
}
