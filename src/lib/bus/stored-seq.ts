/**
 * The highest seq of an actor's batches that the bus holds: the newest one still in the stream
 * (not yet acked by the learner), or else the one the learner's last checkpoint holds (it writes
 * `<run>.durable.<actor>` before it acks, so the two together never miss a batch). A gateway puts
 * it in HANDSHAKE_ACCEPT's lastSeq (and durableSeq: what the stream stores is on disk).
 */
import type { Bus } from './connection.ts';
import { SEQ_HEADER, STREAM, keys, subjects } from './names.ts';
import { durableRecord } from './records.ts';

export async function storedSeqOf(bus: Bus, runId: string, actor: string): Promise<number> {
	// The stream first, then the key: the learner writes the key before it acks (removes) messages,
	// so whatever it removed after the first read is in the key by the second.
	const last = await bus.jsm.streams.getMessage(STREAM, { last_by_subj: subjects.batch(runId, actor) });
	const durable = await bus.kv.get(keys.durable(runId, actor));
	const header = last?.header.get(SEQ_HEADER) ?? '';
	const inStream = /^\d{1,16}$/.test(header) ? Number(header) : -1;
	const checkpointed = durable?.operation === 'PUT' ? (durableRecord.decode(durable.value) ?? -1) : -1;
	return Math.max(inStream, checkpointed);
}
