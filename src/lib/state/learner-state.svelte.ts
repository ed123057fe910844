/**
 * The console's view of the learner, fed by /ws/console events: status, actors and alerts as
 * reactive state; metric history as columnar series (./series.ts: gaps are `null`, never NaN)
 * with a `revision` counter that tells charts to redraw. Old points are thinned so memory stays
 * flat over a long session. One instance per page tree, handed out through context.
 */
import { getContext, setContext } from 'svelte';
import type { ActorInfo, Alert, ConsoleEvent, LapsView, LearnerStatus, MetricPoint, TrackView } from '$lib/protocol';
import { AlertAnnouncer, type Announcement } from './alert-announcer';
import { bestLapSeconds, Series } from './series';

export { MAX_POINTS, Series } from './series';

export const UPDATE_KEYS = [
	'losses/policy_loss',
	'losses/value_loss',
	'losses/entropy',
	'losses/approx_kl',
	'losses/clipfrac',
	'losses/explained_variance',
	'charts/learning_rate',
	'charts/update_samples_per_sec',
	// SAC
	'losses/qf1_loss',
	'losses/qf2_loss',
	'losses/qf1_values',
	'losses/actor_loss',
	'losses/alpha',
	'charts/utd_achieved',
	'charts/utd_target',
	'charts/grad_steps_per_sec'
] as const;

export class LearnerState {
	status = $state<LearnerStatus | undefined>(undefined);
	actors = $state<ActorInfo[]>([]);
	alerts = $state<Alert[]>([]);
	laps = $state.raw<LapsView | undefined>(undefined);
	tracks = $state.raw<TrackView[]>([]);
	/** The alerts just raised, for role="alert": set when one is raised, never on a rewrite. */
	raisedAlerts = $state<Announcement[]>([]);
	/** The alerts just cleared, for role="status". */
	clearedAlerts = $state<Announcement[]>([]);
	private readonly announcer = new AlertAnnouncer();
	/** Bumped whenever metric series grew. */
	revision = $state(0);
	readonly updates = new Series(UPDATE_KEYS);
	readonly episodes = new Series(['return', 'length', 'lap']);
	readonly events: { time: number; event: string; detail: Record<string, unknown> }[] = [];
	private episodeCount = 0;

	/** A new connection replays the recent history: start the series afresh. */
	reconnected(): void {
		this.updates.clear();
		this.episodes.clear();
		this.events.length = 0;
		this.episodeCount = 0;
		this.revision++;
	}

	handle(event: ConsoleEvent): void {
		switch (event.type) {
			case 'status':
				this.status = event.status;
				return;
			case 'actors':
				this.actors = event.actors;
				return;
			case 'alerts': {
				this.alerts = event.alerts;
				const { raised, cleared } = this.announcer.update(event.alerts);
				if (raised.length) this.raisedAlerts = raised;
				if (cleared.length) this.clearedAlerts = cleared;
				return;
			}
			case 'metrics':
				for (const point of event.points) this.add(point);
				this.revision++;
				return;
			case 'laps':
				this.laps = event.laps;
				return;
			case 'tracks':
				this.tracks = event.tracks;
				return;
			case 'telemetry':
				return;
		}
	}

	private add(point: MetricPoint): void {
		if (point.kind === 'update') this.updates.push(point.step, point.update, point.time, point);
		else if (point.kind === 'episode') {
			// Evaluation episodes (deterministic) are not the training curve: the Evaluations panel shows them.
			if (point.evalId !== undefined) return;
			const lap = bestLapSeconds(point.lapTimesMs);
			this.episodes.push(point.step, ++this.episodeCount, point.time, { return: point.return, length: point.length, lap });
		} else this.events.push({ time: point.time, event: point.event, detail: point.detail });
	}
}

const KEY = Symbol('pitwall.learner-state');

export function provideLearnerState(): LearnerState {
	return setContext(KEY, new LearnerState());
}

export function learnerState(): LearnerState {
	return getContext<LearnerState>(KEY);
}
