/**
 * The learner's durable consumer of its run's stream (`learner-<run>`): every batch, episode, lap
 * and track the gateways stored, in stream order, into the runtime as if the actor were
 * connected here. A message is acked only once a saved checkpoint holds what it brought — the
 * batch's steps are trained on, held, or dropped and counted in the books, which the checkpoint
 * saves — so a learner killed at any instant loses nothing the gateways acked: the restarted one
 * resumes from its checkpoint and the stream still holds every message after it.
 *
 * On start the consumer is made again from the stream's first unacked message (a crashed
 * learner's deliveries are not waited out). Messages that a checkpoint already holds but were not
 * yet acked when the learner died come again; the intake's per-actor seqs make those resends.
 * Before acking, the checkpoint's per-actor seqs are written to `<run>.durable.<actor>` (a
 * gateway's handshake reads them once the stream no longer holds an actor's batches).
 */
import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { Decoder, MessageType, ProtocolError } from '../../protocol/index.ts';
import type { Bus } from '../../bus/connection.ts';
import { isNotFound } from '../../bus/connection.ts';
import { STREAM, actorToken, consumerName, keys, parseInSubject, subjects } from '../../bus/names.ts';
import { durableRecord } from '../../bus/records.ts';
import type { Log } from '../log.ts';
import type { ActorEntry } from '../runtime/actors.ts';
import type { BusRuntime } from '../runtime/bus-runtime.ts';
import type { BusFleet } from './bus-fleet.ts';

const ACK = new TextEncoder().encode('+ACK');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The subject a message's ack goes to: kept instead of the message (which holds its payload)
 * until a checkpoint holds it. JsMsg's implementation has it; its published type does not.
 */
function replyOf(msg: JsMsg): string {
	const reply = (msg as unknown as { reply?: unknown }).reply;
	if (typeof reply !== 'string' || reply === '') throw new Error(`a JetStream message without a reply subject (${msg.subject})`);
	return reply;
}
const NS_PER_MS = 1_000_000;

export interface IntakeOptions {
	/** Unacked messages before a checkpoint is asked for (each is ~100 bytes here until then). */
	checkpointAfterMessages: number;
	/** How long JetStream waits for an ack before it delivers a message again, ms (longer than checkpoints are apart). */
	ackWaitMs: number;
}

export class BusIntake {
	private readonly decoder: Decoder;
	/** Reply subjects of handled messages, acked once a checkpoint holds them. */
	private unacked: string[] = [];
	private messages: ConsumerMessages | undefined;
	private loop: Promise<void> = Promise.resolve();
	private readonly written = new Map<string, number>();
	/** Messages handled since start. */
	handled = 0;
	private stopping = false;
	/** A checkpoint was asked for because many messages wait; not again until one captures them. */
	private backlogCheckpoint = false;

	private readonly runId: string;

	constructor(
		private readonly bus: Bus,
		private readonly rt: BusRuntime,
		private readonly fleet: BusFleet,
		private readonly o: IntakeOptions,
		private readonly log: Log
	) {
		this.runId = rt.runId;
		this.decoder = new Decoder(rt.limits);
	}

	async start(): Promise<void> {
		const name = consumerName(this.runId);
		await this.bus.jsm.consumers.delete(STREAM, name).catch((error: unknown) => {
			if (!isNotFound(error)) throw error;
		});
		await this.bus.jsm.consumers.add(STREAM, {
			durable_name: name,
			filter_subject: subjects.runIn(this.runId),
			ack_policy: AckPolicy.Explicit,
			deliver_policy: DeliverPolicy.All,
			ack_wait: this.o.ackWaitMs * NS_PER_MS,
			max_ack_pending: -1
		});
		const consumer = await this.bus.js.consumers.get(STREAM, name);
		this.loop = this.run(consumer).catch((error: unknown) => this.log.error({ err: error }, 'the bus intake stopped'));
	}

	/** Once the trainer can store batches (a new run's starts with its first actor), message by message. */
	private async run(consumer: Consumer): Promise<void> {
		while (!this.rt.taking() && !this.stopping) await sleep(50);
		if (this.stopping) return;
		const messages = (this.messages = await consumer.consume({ max_messages: 512 }));
		if (this.stopping) return void (await messages.close());
		for await (const msg of messages) {
			if (!(await this.handleUntilDone(msg))) break;
			this.unacked.push(replyOf(msg));
			this.handled++;
			if (this.unacked.length >= this.o.checkpointAfterMessages && !this.backlogCheckpoint) {
				this.backlogCheckpoint = true; // one at a time: cleared when a checkpoint captures
				this.rt.checkpoint('bus backlog');
			}
		}
	}

	/**
	 * A message is handled or dropped with a reason; anything else (the bus not answering a
	 * lookup, a bug) is logged and the message tried again, so nothing is acked unhandled and the
	 * loop never dies. false: nothing more is taken (shutting down; the message stays unacked).
	 */
	private async handleUntilDone(msg: JsMsg): Promise<boolean> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.handle(msg);
			} catch (error) {
				if (this.stopping) return false;
				if (attempt === 1 || attempt % 30 === 0) this.log.error({ err: error, subject: msg.subject, attempt }, 'could not handle a bus message; retrying');
				await sleep(Math.min(1000, 50 * attempt));
			}
		}
	}

	/** false: the runtime takes nothing more (the message stays unacked). */
	private async handle(msg: JsMsg): Promise<boolean> {
		if (this.stopping) return false;
		const parsed = parseInSubject(msg.subject);
		const entry = parsed && (await this.fleet.entryFor(parsed.actor));
		if (!entry) {
			// A gateway writes an actor's handshake (kept for the run) before its first message: this one came from elsewhere.
			this.rt.refusals.warn(this.log, 'bus unknown actor', { subject: msg.subject }, 'a message from an actor no gateway admitted was dropped');
			return true;
		}
		try {
			const message = this.decoder.decode(msg.data);
			if (message.type === MessageType.TRANSITION_BATCH || message.type === MessageType.TRANSITION) return this.rt.ingest(entry, message);
			this.rt.deliver(entry, message);
		} catch (error) {
			this.dropped(msg.subject, entry, error);
		}
		return true;
	}

	/**
	 * A message that does not decode or that the runtime refuses is dropped and counted (the actor
	 * cannot be refused: its gateway acked it already); one that makes the runtime fail (a bug) is
	 * counted INTERNAL, at error level.
	 */
	private dropped(subject: string, entry: ActorEntry, error: unknown): void {
		const { refusals } = this.rt;
		if (error instanceof ProtocolError) {
			refusals.warn(this.log, `bus ${error.code}`, { subject, actorId: entry.id }, `a message on the bus was dropped: ${error.message}`);
		} else {
			refusals.error(this.log, 'bus INTERNAL', { subject, actorId: entry.id, err: error }, 'a message on the bus made the learner fail; dropped');
		}
	}

	/**
	 * At the instant a checkpoint takes its seqs: what is handled so far. Once that checkpoint is
	 * saved, `saved` writes the seqs and acks those messages; if it could not be saved, `failed`
	 * keeps them for the next one.
	 */
	capture(): { saved(): Promise<void>; failed(): void } {
		const replies = this.unacked;
		this.unacked = [];
		this.backlogCheckpoint = false;
		const seqs = this.rt.seqs();
		const keep = () => {
			this.unacked = [...replies, ...this.unacked];
		};
		const saved = async () => {
			try {
				for (const [actorId, seq] of Object.entries(seqs)) {
					const actor = actorToken(actorId);
					if (!this.fleet.known(actor) || (this.written.get(actor) ?? -1) >= seq) continue;
					await this.bus.kv.put(keys.durable(this.runId, actor), durableRecord.encode(seq));
					this.written.set(actor, seq);
				}
				for (const reply of replies) this.bus.nc.publish(reply, ACK);
				await this.bus.nc.flush();
			} catch (error) {
				keep(); // acked with the next checkpoint
				this.log.warn({ err: (error as Error).message, messages: replies.length }, 'could not ack the checkpointed messages yet');
			}
		};
		return { saved, failed: keep };
	}

	get pendingAcks(): number {
		return this.unacked.length;
	}

	/** Stops taking messages; resolves once the one being handled is done. */
	async stop(): Promise<void> {
		this.stopping = true;
		await this.messages?.close();
		await this.loop;
	}
}
