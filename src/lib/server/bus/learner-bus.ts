/**
 * The learner on the bus (`--bus`): the fleet of actors behind gateways (./bus-fleet.ts), the
 * durable consumer of their messages (./bus-intake.ts), the live view's telemetry, and the
 * weights every gateway hands out (./weights-publisher.ts). The runtime owns one and speaks to it
 * through this file only; it gives it the narrow BusRuntime (../runtime/bus-runtime.ts).
 */
import type { Subscription } from '@nats-io/transport-node';
import { Decoder, MessageType, type BusStatus } from '../../protocol/index.ts';
import type { Bus } from '../../bus/connection.ts';
import { subjects } from '../../bus/names.ts';
import type { BusRuntime } from '../runtime/bus-runtime.ts';
import { BusFleet } from './bus-fleet.ts';
import { BusIntake } from './bus-intake.ts';
import { WeightsPublisher } from './weights-publisher.ts';

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
		const ackWaitMs = Math.max(2 * o.checkpointEverySec * 1000, 10 * 60_000);
		this.intake = new BusIntake(bus, rt, this.fleet, { checkpointAfterMessages: 50_000, ackWaitMs }, log);
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
