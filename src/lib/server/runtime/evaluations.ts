/**
 * Deterministic evaluation episodes on request: EVALUATE goes to every connected local-mode actor
 * (remote-mode actors are skipped: the learner samples their actions), and the episodes they
 * report with its evalId are collected here. The newest requests are kept for the console; every
 * episode is also a metrics point (run-recorder.ts) and so outlives the process.
 */
import { evalEpisodesProblem, MessageType, U32_MAX, type EpisodeSummary, type EvaluationInfo } from '../../protocol/index.ts';
import type { ActorEntry } from './actors.ts';
import type { Clock } from './clock.ts';

/** Requests kept in memory (and shown in the status). */
export const EVALUATIONS_KEPT = 8;

export class Evaluations {
	private readonly kept: EvaluationInfo[] = [];
	private lastId = 0;

	constructor(private readonly clock: Clock) {}

	/**
	 * Asks each connected local-mode actor for `episodes` deterministic episodes; `record`: whether
	 * they send those transitions (off-policy learners train on them).
	 */
	request(actors: ActorEntry[], episodes: number, record: boolean, policyVersion: number): EvaluationInfo {
		const problem = evalEpisodesProblem(episodes);
		if (problem) throw new RangeError(problem);
		// Seconds since the epoch, or one more than the last: ids do not repeat across restarts.
		const evalId = Math.min(U32_MAX, Math.max(this.lastId + 1, Math.floor(this.clock.now() / 1000)));
		this.lastId = evalId;
		const info: EvaluationInfo = { evalId, requestedAt: this.clock.now(), policyVersion, episodes, actors: [], skipped: [], results: [] };
		for (const entry of actors) {
			if (entry.state !== 'connected') continue;
			if (entry.hello.mode !== 'local') {
				info.skipped.push({ actorId: entry.id, reason: 'remote mode: the learner samples its actions' });
				continue;
			}
			entry.link.send({ type: MessageType.EVALUATE, evalId, episodes, record });
			info.actors.push(entry.id);
		}
		this.kept.unshift(info);
		this.kept.length = Math.min(this.kept.length, EVALUATIONS_KEPT);
		return info;
	}

	/** An evaluation episode came in: kept with its request (one of an older process, or long gone, is in the metrics only). */
	episode(entry: ActorEntry, summary: EpisodeSummary): void {
		const info = this.kept.find((e) => e.evalId === summary.evalId);
		const { return: ret, length, endReason, lapTimesMs, cleanLaps, policyVersion } = summary;
		info?.results.push({ actorId: entry.id, return: ret, length, endReason, lapTimesMs, cleanLaps, policyVersion });
	}

	list(): EvaluationInfo[] {
		return this.kept;
	}
}
