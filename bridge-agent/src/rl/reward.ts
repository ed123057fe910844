/**
 * Reward and episode ends. Reward: metres of progress along the line per step (÷ 10), minus a
 * penalty per tyre off the track and for harsh input changes. `terminated` (off track too long,
 * stuck, wrong way) and `truncated` (time limit) stay apart: only the latter is bootstrapped.
 * Settings: REWARD_OPTIONS (`--reward` JSON, docs/operations.md).
 */
import { defineOptions, num, numOrNull, type OptionValues } from '../../../src/lib/options/index.ts';

export const REWARD_OPTIONS = defineOptions(
	{
		progressScale: num('reward per metre of progress along the line', 0.1, { min: 0 }),
		tyreOutPenalty: num('penalty per tyre off the track, per step', 0.1, { min: 0 }),
		harshInputPenalty: num('penalty per unit of action change between steps', 0.02, { min: 0 }),
		crashPenalty: num('paid once when the episode is terminated (off track, stuck, wrong way)', 5, { min: 0 }),
		stuckPenalty: numOrNull('paid instead of crashPenalty when the car is terminated as stuck (null = crashPenalty)', null, { min: 0 }),
		offTrackSec: num('all four tyres off this long → terminated', 1.5, { min: 0 }),
		stuckSec: num('slower than 1 m/s this long (after the first 3 s) → terminated', 4, { min: 0 }),
		wrongWaySec: num('heading error over 110° this long → terminated', 1, { min: 0 }),
		maxEpisodeSec: num('episode length limit → truncated', 300, { above: 0 })
	},
	{ title: 'Reward and episode settings', noun: 'reward setting', flags: false }
);

export type RewardConfig = OptionValues<typeof REWARD_OPTIONS.options>;

export const DEFAULT_REWARD: RewardConfig = REWARD_OPTIONS.defaults();

/** Checks overrides (from --reward JSON): known keys, values in range; throws with the reason. */
export function parseRewardConfig(json: string): Partial<RewardConfig> {
	return REWARD_OPTIONS.parseJson(json);
}

const WRONG_WAY_RAD = (110 * Math.PI) / 180;
const STUCK_SPEED = 1;
const GRACE_SEC = 3;

export interface StepOutcome {
	reward: number;
	terminated: boolean;
	truncated: boolean;
	reason: string;
}

export class EpisodeJudge {
	private offTrack = 0;
	private stuck = 0;
	private wrongWay = 0;
	elapsed = 0;

	constructor(
		readonly config: RewardConfig,
		readonly trackLength: number
	) {}

	reset(): void {
		this.offTrack = this.stuck = this.wrongWay = this.elapsed = 0;
	}

	/** Progress from one lap distance to the next, unwrapped across the finish line. */
	progress(from: number, to: number): number {
		let d = to - from;
		if (d < -this.trackLength / 2) d += this.trackLength;
		if (d > this.trackLength / 2) d -= this.trackLength;
		return d;
	}

	step(dt: number, from: number, to: number, tyresOut: number, speed: number, headingError: number, actionChange: number): StepOutcome {
		const c = this.config;
		this.elapsed += dt;
		this.offTrack = tyresOut >= 4 ? this.offTrack + dt : 0;
		this.stuck = speed < STUCK_SPEED && this.elapsed > GRACE_SEC ? this.stuck + dt : 0;
		this.wrongWay = Math.abs(headingError) > WRONG_WAY_RAD && speed > STUCK_SPEED ? this.wrongWay + dt : 0;
		const reason = this.offTrack > c.offTrackSec ? 'off-track' : this.stuck > c.stuckSec ? 'stuck' : this.wrongWay > c.wrongWaySec ? 'wrong-way' : '';
		const reward =
			this.progress(from, to) * c.progressScale -
			c.tyreOutPenalty * tyresOut -
			c.harshInputPenalty * actionChange -
			(reason === 'stuck' ? (c.stuckPenalty ?? c.crashPenalty) : reason ? c.crashPenalty : 0);
		const truncated = !reason && this.elapsed >= c.maxEpisodeSec;
		return { reward, terminated: reason !== '', truncated, reason: reason || (truncated ? 'time-limit' : '') };
	}
}
