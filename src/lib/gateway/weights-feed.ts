/**
 * The run's newest weights as a gateway sees them: it watches `<run>.weights` in the KV bucket and
 * fetches the WEIGHTS_UPDATE frame from the object store when the version moves on. Versions that
 * come faster than a fetch are coalesced (only the newest is fetched). The frame is decoded once
 * here, to check it and read its version, and then sent to actors as it is.
 */
import { Decoder, MessageType } from '../protocol/index.ts';
import type { Bus } from '../bus/connection.ts';
import { keys } from '../bus/names.ts';
import { weightsRecord } from '../bus/records.ts';
import { watchKeys, type Watch } from '../bus/watch.ts';
import type { EncodedWeights } from '../server/runtime/weights-broadcaster.ts';
import type { Log } from '../server/log.ts';

const RETRY_MS = 500;

export class WeightsFeed {
	latest: EncodedWeights | undefined;
	private wanted = -1;
	private fetching = false;
	private stopped = false;
	private readonly decoder = new Decoder();
	private watch: Watch | undefined;

	constructor(
		private readonly bus: Bus,
		private readonly runId: string,
		/** A newer version is here: hand it out. */
		private readonly onNew: () => void,
		private readonly log: Log
	) {}

	/** Watches until stop(); resolves once the watch is set up. */
	async start(): Promise<void> {
		this.watch = watchKeys(
			this.bus.kv,
			keys.weights(this.runId),
			(entry) => {
				const record = entry.operation === 'PUT' ? weightsRecord.decode(entry.value) : undefined;
				if (!record || this.stopped) return;
				this.wanted = Math.max(this.wanted, record.policyVersion);
				void this.fetch();
			},
			this.log
		);
		await this.watch.opened;
	}

	stop(): void {
		this.stopped = true;
		this.watch?.stop();
	}

	private async fetch(): Promise<void> {
		if (this.fetching) return;
		this.fetching = true;
		try {
			while (!this.stopped && this.wanted > (this.latest?.version ?? -1)) {
				const frame = await this.bus.objects.getBlob(this.runId);
				if (!frame) return;
				const message = this.decoder.decode(frame);
				if (message.type !== MessageType.WEIGHTS_UPDATE) throw new Error(`the weights object holds a ${message.type} message`);
				const version = message.manifest.policyVersion;
				if (version <= (this.latest?.version ?? -1)) return; // the object is not newer than what we have (yet)
				this.latest = { version, frame };
				this.log.debug({ policyVersion: version, bytes: frame.length }, 'weights fetched');
				this.onNew();
			}
		} catch (error) {
			this.log.warn({ err: (error as Error).message }, 'could not fetch the newest weights; retrying');
		} finally {
			this.fetching = false;
			// Still behind (a failed or short read, or a newer version came meanwhile): try again soon.
			if (!this.stopped && this.wanted > (this.latest?.version ?? -1)) setTimeout(() => void this.fetch(), RETRY_MS).unref();
		}
	}
}
