/**
 * Publishes each policy version once for every gateway: the WEIGHTS_UPDATE frame to the object
 * store (object `<run>`, replaced by each version: JetStream's messages are limited to 1 MB, the
 * object store chunks), then the version to `<run>.weights` in the KV bucket, which gateways
 * watch. Versions that come while one is being written are coalesced: only the newest goes next.
 * A failed write is retried with whatever is newest then.
 */
import type { Bus } from '../../bus/connection.ts';
import { keys } from '../../bus/names.ts';
import { runRecord, weightsRecord, type RunRecord } from '../../bus/records.ts';
import type { Log } from '../log.ts';
import type { EncodedWeights } from '../runtime/weights-broadcaster.ts';

const RETRY_MS = 1000;

export class WeightsPublisher {
	private next: EncodedWeights | undefined;
	private writing = false;
	private retry: ReturnType<typeof setTimeout> | undefined;
	/** The newest version the bus holds. */
	published = -1;
	/** Write time of the newest version, ms (object + key). */
	lastWriteMs = 0;

	constructor(
		private readonly bus: Bus,
		private readonly runId: string,
		private readonly log: Log
	) {}

	publish(weights: EncodedWeights | undefined): void {
		if (!weights || weights.version <= this.published) return;
		this.next = weights;
		void this.write();
	}

	async run(record: RunRecord): Promise<void> {
		await this.bus.kv.put(keys.run(this.runId), runRecord.encode(record));
	}

	private async write(): Promise<void> {
		if (this.writing) return;
		this.writing = true;
		try {
			while (this.next && this.next.version > this.published) {
				const { version, frame } = this.next;
				const started = performance.now();
				await this.bus.objects.putBlob({ name: this.runId }, frame);
				await this.bus.kv.put(keys.weights(this.runId), weightsRecord.encode({ policyVersion: version, bytes: frame.length }));
				this.published = version;
				this.lastWriteMs = performance.now() - started;
			}
		} catch (error) {
			this.log.warn({ err: (error as Error).message, policyVersion: this.next?.version }, 'could not publish weights on the bus; retrying');
			clearTimeout(this.retry);
			this.retry = setTimeout(() => void this.write(), RETRY_MS);
			this.retry.unref();
		} finally {
			this.writing = false;
		}
	}

	stop(): void {
		clearTimeout(this.retry);
	}
}
