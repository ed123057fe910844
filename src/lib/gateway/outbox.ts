/**
 * One actor's way onto the bus: its frames are published one after another, in the order they
 * came, each retried (with the same de-duplication id) until JetStream has stored it. A batch's
 * promise resolves once it is stored — only then does the actor get its BATCH_ACK — so a seq the
 * actor sees acked is on disk in the stream, and one actor's batches are stored in seq order
 * (the learner relies on that: a seq at or below one it holds is a resend).
 *
 * While the bus is away nothing is acked and frames wait, up to `maxQueued`; past that the actor
 * is refused (it keeps its batches and reconnects, perhaps to another gateway).
 */
import { headers } from '@nats-io/transport-node';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ErrorCode, ProtocolError } from '../protocol/index.ts';
import { SEQ_HEADER } from '../bus/names.ts';
import type { Log } from '../server/log.ts';

interface Item {
	subject: string;
	frame: Uint8Array;
	/** De-duplication id: a retry of a publish that was stored after all is stored once. */
	msgId: string;
	/** A batch: its seq and de-duplication id, and who waits for it to be stored. */
	batch?: { seq: number; stored(): void; failed(error: Error): void };
}

export interface OutboxOptions {
	maxQueued: number;
	/** A publish not acknowledged by JetStream in this long is retried, ms. */
	publishTimeoutMs: number;
	/** The wait between retries while the bus is away, ms. */
	retryMs: number;
}

export class Outbox {
	private readonly queue: Item[] = [];
	private pumping = false;
	private closed = false;
	/** Publishes that failed and were retried. */
	retries = 0;
	/** Frames stored by the bus. */
	published = 0;

	constructor(
		private readonly js: JetStreamClient,
		private readonly o: OutboxOptions,
		private readonly log: Log
	) {}

	get queued(): number {
		return this.queue.length;
	}

	/** Resolves once the bus has stored the batch; rejects if the outbox closes first. */
	batch(subject: string, seq: number, msgId: string, frame: Uint8Array): Promise<void> {
		return new Promise((stored, failed) => this.push({ subject, frame, msgId, batch: { seq, stored, failed } }));
	}

	/** An episode, lap or track, in order with the batches (no one waits for it). */
	event(subject: string, msgId: string, frame: Uint8Array): void {
		this.push({ subject, frame, msgId });
	}

	/** The session ended: what waits is dropped (the actor still holds every unacked batch). */
	close(): void {
		this.closed = true;
		for (const item of this.queue.splice(0)) item.batch?.failed(new Error('the actor disconnected'));
	}

	private push(item: Item): void {
		if (this.closed) throw new ProtocolError(ErrorCode.INTERNAL, 'the session is closing');
		if (this.queue.length >= this.o.maxQueued) {
			throw new ProtocolError(ErrorCode.INTERNAL, `the bus has not stored this actor's last ${this.queue.length} frames: reconnect later (batches are kept)`);
		}
		this.queue.push(item);
		if (!this.pumping) void this.pump();
	}

	private async pump(): Promise<void> {
		this.pumping = true;
		try {
			while (this.queue.length > 0 && !this.closed) {
				const item = this.queue[0];
				if (!(await this.publish(item))) {
					await new Promise((resolve) => setTimeout(resolve, this.o.retryMs));
					continue;
				}
				this.queue.shift();
				this.published++;
				item.batch?.stored();
			}
		} finally {
			this.pumping = false;
		}
	}

	private async publish(item: Item): Promise<boolean> {
		try {
			const h = headers();
			if (item.batch) h.set(SEQ_HEADER, String(item.batch.seq));
			await this.js.publish(item.subject, item.frame, { msgID: item.msgId, headers: h, timeout: this.o.publishTimeoutMs });
			return true;
		} catch (error) {
			this.retries++;
			if (this.retries === 1 || this.retries % 20 === 0) {
				this.log.warn({ err: (error as Error).message, subject: item.subject, retries: this.retries }, 'bus did not store a frame; retrying');
			}
			return false;
		}
	}
}
