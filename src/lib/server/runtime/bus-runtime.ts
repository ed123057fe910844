/**
 * What the runtime gives its LearnerBus (../bus/learner-bus.ts): the facade's own methods for what
 * an actor sends, without the rate limits its gateway applied already, and the intake's seqs.
 */
import { ErrorCode, MessageType, ProtocolError, type Handshake, type Limits, type Message, type TransitionBatch } from '../../protocol/index.ts';
import type { LimitedLog } from '../limited-log.ts';
import type { Log } from '../log.ts';
import type { ActorEntry } from './actors.ts';
import type { Clock } from './clock.ts';
import type { Runtime } from './index.ts';
import type { TransitionIntake } from './intake.ts';

/** What the learner's bus code (../bus/) may do with the runtime. */
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

export interface RuntimeParts {
	intake: TransitionIntake;
	/** Throws the SPEC_MISMATCH for an actor that does not fit the run; for the first, how to start the trainer. */
	fitRun(hello: Handshake): (() => void) | undefined;
	clock: Clock;
	log: Log;
}

export function busRuntime(runtime: Runtime, { intake, fitRun, clock, log }: RuntimeParts): BusRuntime {
	return {
		runId: runtime.runId,
		limits: runtime.config.limits,
		clock,
		log,
		refusals: runtime.refusals,
		fit(entry: ActorEntry) {
			try {
				fitRun(entry.hello)?.();
				return undefined;
			} catch (error) {
				return (error as Error).message;
			}
		},
		taking: () => intake.taking,
		ingest(entry: ActorEntry, batch: TransitionBatch) {
			if (!intake.taking) return false;
			intake.ingest(entry, batch);
			return true;
		},
		deliver(entry: ActorEntry, message: Message) {
			if (message.type === MessageType.EPISODE_SUMMARY) runtime.episode(entry, message);
			else if (message.type === MessageType.LAP) runtime.lap(entry, message);
			else if (message.type === MessageType.TRACK) runtime.track(entry, message);
			else if (message.type === MessageType.TELEMETRY || message.type === MessageType.TELEMETRY_BATCH) runtime.telemetry(entry, message);
			else throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `message type ${message.type} does not come over the bus`);
		},
		seqs: () => intake.seqs(),
		checkpoint: (reason: string) => void runtime.checkpoint(reason).catch(() => undefined)
	};
}
