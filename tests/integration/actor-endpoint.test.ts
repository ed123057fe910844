/** /ws/actor over real loopback sockets: handshake (and what comes before it), auth, bad frames, exactly-once acks, limits. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloseCode, MessageType, PROTOCOL_VERSION, encodeMessage, resolveLimits } from '../../src/lib/protocol/index.ts';
import { seedHandshake, trajectoryBatch } from '../fixtures/trajectory.ts';
import { pendingHandshakes } from '../../src/lib/server/ws/handshake-gate.ts';
import { TestClient, startTestServer, waitFor, wsUrl } from './helpers.ts';

const TOKEN = 'actor-secret';
const hello = seedHandshake('sim-1', 'local', TOKEN);

/** 50 steps of a policy version the learner has handed out (0: before any weights). */
function batchOf(seed: number, seq: number) {
	const batch = trajectoryBatch(50, seed, seq);
	batch.policyVersion.fill(0);
	return batch;
}

it('refuses a batch that claims a policy version the learner has not handed out', async () => {
	const ctx = await startTestServer();
	try {
		const client = new TestClient(wsUrl(ctx.server, '/ws/actor'));
		await client.opened;
		client.send(encodeMessage(seedHandshake('from-the-future')));
		await client.expect(MessageType.HANDSHAKE_ACCEPT);
		const batch = trajectoryBatch(50, 1, 0); // version 7, the learner is at 0 or 1
		client.send(encodeMessage(batch));
		const error = await client.expect(MessageType.ERROR);
		assert.equal(error.code, 'INVALID_FIELD');
		assert.match(error.message, /ahead of the learner/);
		assert.equal((await client.closed).code, CloseCode.INVALID_PAYLOAD);
		assert.equal(ctx.runtime.status().transitions.refused, 50);
		assert.equal(ctx.runtime.status().transitions.received, 0);
	} finally {
		await ctx.server.close();
	}
});

describe('/ws/actor', () => {
	let ctx: Awaited<ReturnType<typeof startTestServer>>;
	let url: string;
	before(async () => {
		ctx = await startTestServer({ actorToken: TOKEN, limits: resolveLimits({ maxFrameBytes: 64 * 1024 }) });
		url = wsUrl(ctx.server, '/ws/actor');
	});
	after(() => ctx.server.close());

	const connect = async () => {
		const client = new TestClient(url, { authorization: `Bearer ${TOKEN}` });
		await client.opened;
		return client;
	};

	it('refuses the upgrade without the actor token (HTTP 401)', async () => {
		await assert.rejects(new TestClient(url).opened, /HTTP 401/);
		await assert.rejects(new TestClient(url, { authorization: 'Bearer wrong' }).opened, /HTTP 401/);
	});

	it('accepts a handshake and answers PING with PONG', async () => {
		const client = await connect();
		client.send(encodeMessage(hello));
		const accept = await client.expect(MessageType.HANDSHAKE_ACCEPT);
		assert.ok(accept.protocolVersion === PROTOCOL_VERSION && accept.lastSeq === -1);
		client.send(encodeMessage({ type: MessageType.PING, seq: 9, t: 123 }));
		assert.deepStrictEqual(await client.expect(MessageType.PONG), { type: MessageType.PONG, seq: 9, t: 123 });
		client.close();
	});

	it('refuses a wrong token in the handshake with ERROR and close 4001', async () => {
		const client = await connect();
		client.send(encodeMessage({ ...hello, token: 'nope' }));
		const error = await client.next();
		assert.ok(error.type === MessageType.ERROR && error.code === 'UNAUTHORIZED' && error.fatal);
		assert.equal((await client.closed).code, CloseCode.UNAUTHORIZED);
	});

	it('refuses another protocol version with ERROR and close 4002', async () => {
		const client = await connect();
		client.send(encodeMessage({ ...hello, protocolVersion: PROTOCOL_VERSION + 1 }));
		const error = await client.next();
		assert.ok(error.type === MessageType.ERROR && error.code === 'VERSION_MISMATCH');
		assert.equal((await client.closed).code, CloseCode.VERSION_MISMATCH);
	});

	it('refuses data before the handshake with close 4004', async () => {
		const client = await connect();
		client.send(encodeMessage(trajectoryBatch(10, 1)));
		const error = await client.next();
		assert.ok(error.type === MessageType.ERROR && error.code === 'HANDSHAKE_REQUIRED');
		assert.equal((await client.closed).code, CloseCode.HANDSHAKE_REQUIRED);
	});

	it('answers a malformed frame with ERROR and its close code, and keeps serving others', async () => {
		const bystander = await connect();
		bystander.send(encodeMessage({ ...hello, actorId: 'bystander' }));
		await bystander.expect(MessageType.HANDSHAKE_ACCEPT);
		const client = await connect();
		client.send(Uint8Array.from([0x50, 0x57, 1, 40, 0, 0, 0, 0, 5, 0, 0, 0, 0xc1]));
		const error = await client.next();
		assert.ok(error.type === MessageType.ERROR && error.code === 'TRUNCATED');
		assert.equal((await client.closed).code, CloseCode.PROTOCOL_ERROR);
		bystander.send(encodeMessage({ type: MessageType.PING, seq: 1, t: 1 }));
		await bystander.expect(MessageType.PONG);
		bystander.close();
	});

	it('refuses text frames', async () => {
		const client = await connect();
		client.send('{"hello":1}');
		const error = await client.next();
		assert.ok(error.type === MessageType.ERROR && error.code === 'MALFORMED');
		assert.equal((await client.closed).code, CloseCode.INVALID_PAYLOAD);
	});

	it('refuses a frame over maxFrameBytes with ERROR and close 1009', async () => {
		const client = await connect();
		client.send(encodeMessage({ ...hello, actorId: 'big-frame' }));
		await client.expect(MessageType.HANDSHAKE_ACCEPT);
		client.send(encodeMessage(trajectoryBatch(1000, 2), { columns: 'raw' })); // ~90 KB > 64 KiB
		const error = await client.expect(MessageType.ERROR);
		assert.ok(error.type === MessageType.ERROR && error.code === 'LIMIT_EXCEEDED');
		assert.equal((await client.closed).code, CloseCode.MESSAGE_TOO_BIG);
	});

	it('closes with 1009 without reading a frame over twice maxFrameBytes', async () => {
		const client = await connect();
		client.send(new Uint8Array(200 * 1024));
		assert.equal((await client.closed).code, CloseCode.MESSAGE_TOO_BIG);
	});

	it('acks batches and stores each seq exactly once across reconnects', async () => {
		const actor = { ...hello, actorId: 'resume-test' };
		const first = await connect();
		first.send(encodeMessage(actor));
		await first.next();
		for (const seq of [0, 1]) {
			first.send(encodeMessage(batchOf(seq, seq)));
			assert.deepStrictEqual(await first.expect(MessageType.BATCH_ACK), { type: MessageType.BATCH_ACK, seq, durable: -1 });
		}
		first.close();
		await first.closed;

		const second = await connect();
		second.send(encodeMessage(actor));
		const accept = await second.expect(MessageType.HANDSHAKE_ACCEPT);
		assert.equal(accept.lastSeq, 1);
		const samples = () => ctx.runtime.actor('resume-test')!.samples;
		const before = samples();
		second.send(encodeMessage(batchOf(1, 1))); // a resend: acked, not stored again
		assert.deepStrictEqual(await second.expect(MessageType.BATCH_ACK), { type: MessageType.BATCH_ACK, seq: 1, durable: -1 });
		second.send(encodeMessage(batchOf(2, 2)));
		assert.deepStrictEqual(await second.expect(MessageType.BATCH_ACK), { type: MessageType.BATCH_ACK, seq: 2, durable: -1 });
		assert.equal(samples() - before, 50);
		second.send(encodeMessage(batchOf(4, 4))); // a gap: the actor dropped seq 3
		assert.deepStrictEqual(await second.expect(MessageType.BATCH_ACK), { type: MessageType.BATCH_ACK, seq: 4, durable: -1 });
		const books = ctx.runtime.actorInfos().find((a) => a.id === 'resume-test')!.transitions;
		assert.deepStrictEqual([books.skippedBatches, books.resentBatches], [1, 1]);
	});
});

describe('upgrade routing', () => {
	it('refuses unknown paths and foreign origins', async () => {
		const { server } = await startTestServer();
		try {
			await assert.rejects(new TestClient(wsUrl(server, '/ws/nope')).opened, /HTTP 404/);
			await assert.rejects(new TestClient(wsUrl(server, '/ws/console'), { origin: 'http://evil.example' }).opened, /HTTP 403/);
			const same = new TestClient(wsUrl(server, '/ws/console'), { origin: server.url });
			await same.opened;
			await waitFor(() => same.texts.length > 0, 'the first console event');
			const event = JSON.parse(same.texts[0]);
			assert.equal(event.type, 'status');
			assert.equal(typeof event.status.runId, 'string');
			same.close();
		} finally {
			await server.close();
		}
	});

	it('requires the console token when one is set', async () => {
		const { server } = await startTestServer({ consoleToken: 'console-secret' });
		try {
			await assert.rejects(new TestClient(wsUrl(server, '/ws/console')).opened, /HTTP 401/);
			const withToken = new TestClient(wsUrl(server, '/ws/console'), { authorization: 'Bearer console-secret' });
			await withToken.opened;
			withToken.close();
		} finally {
			await server.close();
		}
	});
});

it('before the handshake: an idle socket is closed after handshakeTimeoutMs (4004), a PING is refused (4004), waiting connections are capped (4005)', async () => {
	const { server, runtime } = await startTestServer({}, { handshakeTimeoutMs: 300, maxPendingHandshakes: 2 });
	try {
		const url = wsUrl(server, '/ws/actor');
		const refusal = async (client: TestClient, code: string, closeCode: number) => {
			const error = await client.next(5000);
			assert.ok(error.type === MessageType.ERROR && error.code === code && error.fatal, JSON.stringify(error));
			assert.equal((await client.closed).code, closeCode);
			return error.message;
		};
		const idle = new TestClient(url);
		await idle.opened;
		assert.match(await refusal(idle, 'HANDSHAKE_REQUIRED', CloseCode.HANDSHAKE_REQUIRED), /no HANDSHAKE within 300 ms/);

		const pinger = new TestClient(url);
		await pinger.opened;
		pinger.send(encodeMessage({ type: MessageType.PING, seq: 1, t: 1 }));
		assert.match(await refusal(pinger, 'HANDSHAKE_REQUIRED', CloseCode.HANDSHAKE_REQUIRED), /PING.*before HANDSHAKE/);
		await waitFor(() => pendingHandshakes(runtime) === 0, 'the refused sockets to leave the count');

		const waiting = [new TestClient(url), new TestClient(url)];
		await Promise.all(waiting.map((c) => c.opened));
		await waitFor(() => pendingHandshakes(runtime) === 2, 'two waiting connections');
		const third = new TestClient(url);
		await third.opened;
		assert.match(await refusal(third, 'TOO_MANY_ACTORS', CloseCode.TOO_MANY_ACTORS), /already waiting for their HANDSHAKE/);
		waiting[0].send(encodeMessage(seedHandshake('in-time')));
		await waiting[0].expect(MessageType.HANDSHAKE_ACCEPT);
		await refusal(waiting[1], 'HANDSHAKE_REQUIRED', CloseCode.HANDSHAKE_REQUIRED);
		await waitFor(() => pendingHandshakes(runtime) === 0, 'every waiting connection to leave the count');
		waiting[0].close();
	} finally {
		await server.close();
	}
});
