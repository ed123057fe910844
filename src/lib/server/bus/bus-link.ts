/**
 * How the learner reaches an actor that is connected to a gateway: frames (EVALUATE, say) and
 * closes go to `pitwall.cmd.<run>.<actor>`, where the actor's gateway takes them.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { encodeMessage, type Message } from '../../protocol/index.ts';
import { CLOSE_HEADER, subjects } from '../../bus/names.ts';
import type { ActorLink } from '../runtime/actors.ts';

export class BusLink implements ActorLink {
	/** Nothing queues here: the bus has its own flow control. */
	readonly bufferedAmount = 0;
	private readonly subject: string;

	constructor(
		private readonly nc: NatsConnection,
		runId: string,
		actor: string
	) {
		this.subject = subjects.command(runId, actor);
	}

	send(message: Message): void {
		this.sendFrame(encodeMessage(message));
	}

	sendFrame(frame: Uint8Array): void {
		if (!this.nc.isClosed()) this.nc.publish(this.subject, frame);
	}

	close(code: number, reason: string): void {
		const h = headers();
		h.set(CLOSE_HEADER, String(code));
		if (!this.nc.isClosed()) this.nc.publish(this.subject, new TextEncoder().encode(reason), { headers: h });
	}
}
