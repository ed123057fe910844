/**
 * Telemetry from actors for the live view: rate-limited per actor (frames per wall-clock second,
 * refused with RATE_LIMITED beyond `maxTelemetryPerSec`), kept in the actor's bounded history.
 */
import { MessageType, type Telemetry, type TelemetryBatch, type TelemetryFrame } from '../../protocol/index.ts';
import type { ActorEntry } from './actors.ts';
import type { Clock } from './clock.ts';

export class TelemetryGate {
	constructor(
		private readonly maxTelemetryPerSec: number,
		private readonly clock: Clock
	) {}

	receive(entry: ActorEntry, message: Telemetry | TelemetryBatch): void {
		const frames = message.type === MessageType.TELEMETRY ? [message.frame] : columnsToFrames(message);
		entry.rates.telemetry.take(this.clock.now(), this.maxTelemetryPerSec, 'telemetry frames', frames.length);
		entry.keepTelemetry(frames);
	}
}

function columnsToFrames(batch: TelemetryBatch): TelemetryFrame[] {
	const frames: TelemetryFrame[] = [];
	for (let i = 0; i < batch.n; i++) {
		const frame = {} as TelemetryFrame;
		for (const [key, column] of Object.entries(batch.columns)) frame[key as keyof TelemetryFrame] = column[i];
		frames.push(frame);
	}
	return frames;
}
