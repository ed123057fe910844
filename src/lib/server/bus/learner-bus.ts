/**
 * The learner on the bus (`--bus`): the fleet of actors behind gateways (./bus-fleet.ts), the
 * durable consumer of their messages (./bus-intake.ts), the live view's telemetry, and the
 * weights every gateway hands out (./weights-publisher.ts). The runtime owns one and speaks to it
 * through this file only; it gives this file the narrow BusRuntime below.
 */
import type { Subscription } from '@nats-io/transport-node';
import { Decoder, MessageType, ProtocolError, type BusStatus, type Limits, type Message, type TransitionBatch } from '../../protocol/index.ts';
import type { Bus } from '../../bus/connection.ts';
import { subjects } from '../../bus/names.ts';
import type { LimitedLog } from '../limited-log.ts';
import type { Log } from '../log.ts';
import type { ActorEntry } from '../runtime/actors.ts';
import type { Clock } from '../runtime/clock.ts';
import { BusFleet } from './bus-fleet.ts';
import { BusIntake } from './bus-intake.ts';
import { WeightsPublisher } from './weights-publisher.ts';

export interface BusRuntime {
	readonly runId: string;
	readonly limits: Limits;
	readonly clock: Clock;
	readonly log: Log;
	readonly refusals: LimitedLog;
	/** Checks a new actor against the run (starting the trainer for the first); returns why it does not fit. */
	fit(entry: ActorEntry): string | undefined;
	/** The trainer can store batches. */
	taking(): boolean;
	/** Stores a batch (throws the ProtocolError it was refused with); false when nothing more is taken. */
	ingest(entry: ActorEntry, batch: TransitionBatch): boolean;
	/** EPISODE_SUMMARY, LAP, TRACK or telemetry, into the runtime's services. */
	deliver(entry: ActorEntry, message: Message): void;
	seqs(): Record<string, number>;
	checkpoint(reason: string): void;
}

export interface LearnerBusOptions {
	checkpointEverySec: number;
}

export class LearnerBus {
	readonly fleet: BusFleet;
	readonly intake: BusIntake;
	readonly weights: WeightsPublisher;
	private live: Subscription | undefined;
	private connected = true;
	private readonly decoder: Decoder;

	constructor(
		readonly bus: Bus,
		private readonly rt: BusRuntime,
		o: LearnerBusOptions
	) {
		const log = rt.log.child({ service: 'bus' });
		this.decoder = new Decoder(rt.limits);
		this.fleet = new BusFleet(bus, rt.runId, rt.clock, log, (entry) => rt.fit(entry));
		this.weights = new WeightsPublisher(bus, rt.runId, log);
		const sink = {
			taking: () => rt.taking(),
			ingest: (entry: ActorEntry, batch: TransitionBatch) => this.refusing(entry, () => rt.ingest(entry, batch), true),
			event: (entry: ActorEntry, message: Message) => this.refusing(entry, () => rt.deliver(entry, message), undefined),
			seqs: () => rt.seqs(),
			checkpoint: (reason: string) => rt.checkpoint(reason)
		};
		const ackWaitMs = Math.max(2 * o.checkpointEverySec * 1000, 10 * 60_000);
		this.intake = new BusIntake(bus, rt.runId, this.fleet, sink, rt.limits, { checkpointAfterMessages: 50_000, ackWaitMs }, rt.refusals, log);
	}

	/**
	 * A message the runtime refuses is dropped and counted (it cannot refuse the actor: its gateway
	 * acked it already); one that makes the runtime fail (a bug) is counted INTERNAL, at error level.
	 */
	private refusing<T>(entry: ActorEntry, run: () => T, otherwise: T): T {
		try {
			return run();
		} catch (error) {
			const fields = { actorId: entry.id, ...(error instanceof ProtocolError ? {} : { err: error }) };
			if (error instanceof ProtocolError) this.rt.refusals.warn(this.rt.log, `bus ${error.code}`, fields, `a message on the bus was refused: ${error.message}`);
			else this.rt.refusals.error(this.rt.log, 'bus INTERNAL', fields, 'a message on the bus made the learner fail; dropped');
			return otherwise;
		}
	}

	async start(): Promise<void> {
		void (async () => {
			for await (const status of this.bus.nc.status()) {
				if (status.type === 'disconnect') this.connected = false;
				else if (status.type === 'reconnect') this.connected = true;
			}
		})();
		await this.fleet.start();
		// A callback that throws would stop the connection's reader: telemetry() catches everything.
		this.live = this.bus.nc.subscribe(subjects.liveAll(this.rt.runId), {
			callback: (error, msg) => {
				if (!error) this.telemetry(msg.subject, msg.data);
			}
		});
		await this.intake.start();
	}

	private telemetry(subject: string, data: Uint8Array): void {
		try {
			const entry = this.fleet.known(subject.split('.').at(-1) ?? '');
			if (!entry) return;
			const message = this.decoder.decode(data);
			if (message.type === MessageType.TELEMETRY || message.type === MessageType.TELEMETRY_BATCH) this.rt.deliver(entry, message);
		} catch {
			// the live view skips a frame that does not decode; its gateway checked it already
		}
	}

	status(servers: string[]): BusStatus {
		return {
			servers,
			connected: !this.bus.nc.isClosed() && this.connected,
			gateways: this.fleet.gateways(),
			taken: this.intake.handled,
			unacked: this.intake.pendingAcks,
			weightsVersion: this.weights.published
		};
	}

	/** Takes nothing more from the stream (before the last checkpoint). */
	stopIntake(): Promise<void> {
		return this.intake.stop();
	}

	async close(): Promise<void> {
		this.fleet.stop();
		this.live?.unsubscribe();
		this.weights.stop();
		await this.bus.close().catch(() => undefined);
	}
}
