/**
 * A gateway's outbox, against a JetStream publish that fails when told to: frames are stored in
 * the order they came, a failed publish is retried with the same de-duplication id before anything
 * after it, a batch resolves only once stored, and a full outbox refuses the actor.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Outbox } from '../../../src/lib/gateway/outbox.ts';
import { ErrorCode, ProtocolError } from '../../../src/lib/protocol/index.ts';
import { silentLog } from '../../../src/lib/server/log.ts';

interface Call {
	subject: string;
	msgId: string | undefined;
	seq: string | undefined;
}

/** Stores what it is given, failing the next `failures` publishes; `hold` keeps every publish pending until released. */
function bus() {
	const stored: Call[] = [];
	const attempts: Call[] = [];
	const state = { failures: 0, hold: false, release: [] as (() => void)[] };
	const js = {
		publish: async (subject: string, _data: Uint8Array, o: { msgID?: string; headers?: { get(k: string): string } } = {}) => {
			const call = { subject, msgId: o.msgID, seq: o.headers?.get('Pitwall-Seq') || undefined };
			attempts.push(call);
			if (state.hold) await new Promise<void>((resolve) => state.release.push(resolve));
			if (state.failures > 0) {
				state.failures--;
				throw new Error('TIMEOUT');
			}
			stored.push(call);
			return { stream: 'PITWALL', seq: stored.length, duplicate: false };
		}
	} as unknown as JetStreamClient;
	return { js, stored, attempts, state };
}

const options = { maxQueued: 4, publishTimeoutMs: 100, retryMs: 1 };

describe('gateway outbox', () => {
	it('stores batches and events in the order they came, each batch resolving once stored', async () => {
		const { js, stored } = bus();
		const outbox = new Outbox(js, options, silentLog);
		const done: number[] = [];
		const a = outbox.batch('b', 0, 'r/a/0', new Uint8Array(1)).then(() => done.push(0));
		outbox.event('e', 'r/a/s/0', new Uint8Array(1));
		const b = outbox.batch('b', 1, 'r/a/1', new Uint8Array(1)).then(() => done.push(1));
		await Promise.all([a, b]);
		assert.deepEqual(
			stored.map((c) => [c.subject, c.seq]),
			[
				['b', '0'],
				['e', undefined],
				['b', '1']
			]
		);
		assert.deepEqual(done, [0, 1]);
		assert.equal(outbox.published, 3);
	});

	it('retries a failed publish with the same id before anything after it', async () => {
		const { js, stored, attempts, state } = bus();
		state.failures = 3;
		const outbox = new Outbox(js, options, silentLog);
		await Promise.all([outbox.batch('b', 5, 'r/a/5', new Uint8Array(1)), outbox.batch('b', 6, 'r/a/6', new Uint8Array(1))]);
		assert.deepEqual(
			attempts.map((c) => c.msgId),
			['r/a/5', 'r/a/5', 'r/a/5', 'r/a/5', 'r/a/6']
		);
		assert.deepEqual(
			stored.map((c) => c.seq),
			['5', '6']
		);
		assert.equal(outbox.retries, 3);
	});

	it('a full outbox refuses the actor; closing drops what waits (the actor still has it)', async () => {
		const { js, state } = bus();
		state.hold = true;
		const outbox = new Outbox(js, options, silentLog);
		const waiting = [0, 1, 2, 3].map((seq) => outbox.batch('b', seq, `r/a/${seq}`, new Uint8Array(1)));
		assert.throws(
			() => outbox.event('e', 'r/a/s/0', new Uint8Array(1)),
			(e: unknown) => e instanceof ProtocolError && e.code === ErrorCode.INTERNAL && /reconnect later/.test(e.message)
		);
		outbox.close();
		const settled = await Promise.allSettled(waiting);
		assert.ok(
			settled.every((s) => s.status === 'rejected'),
			'no batch is acked that the bus did not store'
		);
		for (const release of state.release) release();
	});
});
