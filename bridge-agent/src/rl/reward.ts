/**
 * Reward and episode ends. Reward: metres of progress along the line per step (÷ 10), minus a
 * penalty per tyre off the track and for harsh input changes. `terminated` (off track too long,
 * stuck, wrong way) and `truncated` (time limit) stay apart: only the latter is bootstrapped.
 */
export interface RewardConfig {
	progressScale: number;
	tyreOutPenalty: number;
	harshInputPenalty: number;
	/** Paid once when the episode is terminated (off track, stuck, wrong way). */
	crashPenalty: number;
	/** All four tyres off this long → terminated. */
	offTrackSec: number;
	/** Slower than 1 m/s this long (after the first seconds) → terminated. */
	stuckSec: number;
	/** Heading error over 110° this long → terminated. */
	wrongWaySec: number;
	/** Episode length limit → truncated. */
	maxEpisodeSec: number;
}

export const DEFAULT_REWARD: RewardConfig = {
	progressScale: 0.1,
	tyreOutPenalty: 0.1,
	harshInputPenalty: 0.02,
	crashPenalty: 5,
	offTrackSec: 1.5,
	stuckSec: 4,
	wrongWaySec: 1,
	maxEpisodeSec: 300
};

/** Checks overrides (from --reward JSON): known keys, non-negative finite numbers. */
export function parseRewardConfig(json: string): Partial<RewardConfig> {
	let raw: unknown;
	try {
		raw = JSON.parse(json);
	} catch {
		throw new Error(`reward settings are not JSON: ${json}`);
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('reward settings must be a JSON object');
	for (const [key, value] of Object.entries(raw)) {
		if (!(key in DEFAULT_REWARD)) throw new Error(`unknown reward setting "${key}" (known: ${Object.keys(DEFAULT_REWARD).join(', ')})`);
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`reward setting ${key} must be a non-negative number, got ${JSON.stringify(value)}`);
	}
	return raw as Partial<RewardConfig>;
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
		const reward = this.progress(from, to) * c.progressScale - c.tyreOutPenalty * tyresOut - c.harshInputPenalty * actionChange - (reason ? c.crashPenalty : 0);
		const truncated = !reason && this.elapsed >= c.maxEpisodeSec;
		return { reward, terminated: reason !== '', truncated, reason: reason || (truncated ? 'time-limit' : '') };
	}
}
