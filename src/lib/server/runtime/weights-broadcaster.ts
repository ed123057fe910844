/**
 * The weights broadcaster: encodes each policy version once, sends it to every local-mode actor,
 * coalesces for slow sockets (an actor whose socket holds more than `weightsMaxBufferedBytes`
 * gets whatever is newest once it drains), records acks and alerts on actors that lag behind.
 * Bytes sent are counted by the actor's link, the one owner of `bytesOut`.
 */
import { encodeMessage, type WeightsAck, type WeightsUpdate } from '../../protocol/index.ts';
import type { Log } from '../log.ts';
import type { ActorEntry } from './actors.ts';
import type { Alerts } from './alerts.ts';

/** A WEIGHTS_UPDATE frame, encoded once for every actor (and the bus). */
export interface EncodedWeights {
	version: number;
	frame: Uint8Array;
}

/** `newest` encoded, once per version. */
export function encodedOnce(newest: () => WeightsUpdate | undefined): () => EncodedWeights | undefined {
	let encoded: EncodedWeights | undefined;
	return () => {
		const weights = newest();
		if (!weights) return undefined;
		const version = weights.manifest.policyVersion;
		if (encoded?.version !== version) encoded = { version, frame: encodeMessage(weights) };
		return encoded;
	};
}

export class WeightsBroadcaster {
	constructor(
		/** The newest weights, encoded, if a trainer (or the bus) has made any. */
		private readonly weights: () => EncodedWeights | undefined,
		private readonly o: { weightsMaxBufferedBytes: number },
		private readonly alerts: Alerts,
		private readonly log: Log
	) {}

	/** Sends the newest weights to every local-mode actor; returns how many got them now. */
	broadcast(actors: Iterable<ActorEntry>): number {
		let sent = 0;
		for (const entry of actors) if (entry.hello.mode === 'local' && this.send(entry)) sent++;
		return sent;
	}

	/** Sends the newest weights to one actor, or marks it pending while its socket is full. */
	send(entry: ActorEntry): boolean {
		const weights = this.weights();
		if (!weights) return false;
		const { version, frame } = weights;
		if (entry.link.bufferedAmount > this.o.weightsMaxBufferedBytes) {
			entry.weightsPending = true; // retried by tick() with whatever is newest then
			return false;
		}
		entry.link.sendFrame(frame);
		entry.sentVersion = version;
		entry.weightsPending = false;
		return true;
	}

	ack(entry: ActorEntry, ack: WeightsAck): void {
		if (ack.error) {
			this.alerts.raise('trainer-error', `actor ${entry.hello.actorName} refused weights v${ack.policyVersion}: ${ack.error}`, entry.id);
			return;
		}
		if (ack.policyVersion > entry.ackedVersion) this.log.debug({ actorId: entry.id, policyVersion: ack.policyVersion }, 'weights acked');
		entry.ackedVersion = Math.max(entry.ackedVersion, ack.policyVersion);
	}

	/** Retries coalesced sends; alerts on actors (that acked weights before) more than `maxLag` versions behind `current`. */
	tick(actors: Iterable<ActorEntry>, current: number, maxLag: number): void {
		for (const entry of actors) {
			if (entry.weightsPending) this.send(entry);
			// Only actors that acked once: a fresh (re)connection has weights on the way, not a lag.
			if (entry.hello.mode === 'local' && entry.ackedVersion > 0 && current - entry.ackedVersion > maxLag) {
				this.alerts.raise(
					'policy-lag',
					`actor ${entry.hello.actorName} runs policy v${entry.ackedVersion}, ${current - entry.ackedVersion} versions behind: its samples are dropped as stale`,
					entry.id
				);
			}
		}
	}
}
