/**
 * Evaluation episodes on the learner's request (EVALUATE, docs/protocol.md): the request waits for
 * the next episode to start, then that many episodes drive the policy's deterministic action and
 * report with the request's evalId. A newer request replaces a pending or running one.
 */
import type { Evaluate } from '../../../src/lib/protocol/index.ts';

export class EvaluationPlan {
	private pending: Evaluate | undefined;
	private running: { evalId: number; left: number; record: boolean } | undefined;

	request(message: Evaluate): void {
		this.pending = message;
	}

	/** A new episode starts: it is an evaluation episode if a request is running or waiting. */
	episodeStarts(): void {
		if (this.pending) {
			this.running = { evalId: this.pending.evalId, left: this.pending.episodes, record: this.pending.record };
			this.pending = undefined;
		}
	}

	/** The evalId of the episode being driven (undefined: a training episode). */
	get evalId(): number | undefined {
		return this.running?.evalId;
	}

	/** Whether the current episode's transitions go to the learner. */
	get recording(): boolean {
		return this.running ? this.running.record : true;
	}

	/** The current episode ended; returns its evalId (undefined for a training episode). */
	episodeEnds(): number | undefined {
		const r = this.running;
		if (!r) return undefined;
		if (--r.left <= 0) this.running = undefined;
		return r.evalId;
	}
}
