/**
 * A gateway refuses actors exactly as the learner does (it runs the same session code), and what
 * the learner cannot take from the bus is dropped, counted by reason and acked — never stuck in the
 * stream, never received. Another run's messages on the same bus are left alone. Real
 * nats-server, gateway and learner processes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { KV_BUCKET, STREAM, consumerName, keys, subjects } from '../../src/lib/bus/names.ts';
import { actorRecord, helloRecord } from '../../src/lib/bus/records.ts';
import { CloseCode, ErrorCode, MessageType, encodeMessage } from '../../src/lib/protocol/index.ts';
import { GatewayProcess, HAVE_NATS, NO_NATS, NatsServer, learnerStatus, until } from '../fixtures/bus.ts';
import { ACTOR_TOKEN, BUILT, bookTotals, freePort, LearnerProcess, savedRun } from '../fixtures/fleet.ts';
import { seedHandshake, trajectoryBatch } from '../fixtures/trajectory.ts';
import { TestClient, waitFor } from './helpers.ts';

const RUN = 'bus-refusals';

async function refusals(port: number): Promise<Record<string, number>> {
	const res = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { authorization: 'Bearer fleet-console-token' } });
	return ((await res.json()) as { refusals: Record<string, number> }).refusals;
}

it(
	'a gateway refuses bad actors like the learner; the learner counts and acks what it cannot take from the bus',
	{ skip: (!BUILT && 'build/server.js or the agent bundle not built (npm run build)') || (!HAVE_NATS && NO_NATS), timeout: 120_000 },
	async () => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-bus-refusals-'));
		const nats = new NatsServer(await freePort(), join(dir, 'jetstream'));
		await nats.start();
		const learner = new LearnerProcess({ port: await freePort(), runsDir: join(dir, 'runs'), runId: RUN, args: ['--bus', nats.url] });
		const gateway = new GatewayProcess({ bus: nats.url, runId: RUN, port: await freePort(), name: 'g1' });
		const nc = await connect({ servers: nats.url });
		try {
			await waitFor(() => gateway.listening && learner.listening, 'the gateway and the learner to listen', 30_000, 20);
			await assert.rejects(new TestClient(gateway.url, { authorization: 'Bearer wrong' }).opened, /HTTP 401/);

			const remote = new TestClient(gateway.url, { authorization: `Bearer ${ACTOR_TOKEN}` });
			await remote.opened;
			remote.send(encodeMessage(seedHandshake('remote-car', 'remote', ACTOR_TOKEN)));
			const refused = await remote.expect(MessageType.ERROR);
			assert.equal(refused.code, ErrorCode.INVALID_FIELD);
			assert.match(refused.message, /remote inference is served by the learner only/);

			// An honest actor starts the run (its specs start the trainer), then sends a malformed frame.
			const car = new TestClient(gateway.url, { authorization: `Bearer ${ACTOR_TOKEN}` });
			await car.opened;
			car.send(encodeMessage(seedHandshake('car-1', 'local', ACTOR_TOKEN)));
			const accept = await car.expect(MessageType.HANDSHAKE_ACCEPT);
			assert.equal(accept.runId, RUN);
			assert.equal(accept.lastSeq, -1);
			assert.equal(accept.maxFrameBytes, 1024 * 1024 - 4096, "frames up to nats-server's max_payload (1 MB by default), not the learner's 8 MiB");
			car.send(new Uint8Array(64).fill(7));
			assert.equal((await car.expect(MessageType.ERROR)).code, ErrorCode.BAD_MAGIC);
			assert.equal((await car.closed).code, CloseCode.PROTOCOL_ERROR);
			await until(
				() => learnerStatus(learner.o.port),
				(s) => s.policyVersion >= 1,
				'the trainer',
				30_000
			);

			// Straight onto the bus, as a broken or compromised gateway might: a batch from a policy the
			// learner never handed out, garbage, and a message from an actor with no record.
			const kv = await new Kvm(nc).open(KV_BUCKET);
			const figures = {
				sessionId: 's',
				address: 'x',
				state: 'connected',
				ackedVersion: 0,
				sentVersion: 0,
				weightsPending: false,
				rttMs: null,
				health: null,
				lastSeenAt: 0,
				connectedAt: 0,
				bytesIn: 0,
				bytesOut: 0
			} as const;
			await kv.put(keys.hello(RUN, 'rogue'), helloRecord.encode(seedHandshake('rogue')));
			await kv.put(keys.actorSession(RUN, 'rogue', 's'), actorRecord.encode({ hello: seedHandshake('rogue'), gateway: 'test', figures }));
			const js = jetstream(nc);
			const ahead = trajectoryBatch(16, 1, 0);
			ahead.policyVersion.fill(999);
			await js.publish(subjects.batch(RUN, 'rogue'), encodeMessage(ahead));
			// A single TRANSITION goes the batches' way (refused the same, not "unexpected").
			const single = { ...trajectoryBatch(1, 4, 1), type: MessageType.TRANSITION } as const;
			single.policyVersion.fill(999);
			await js.publish(subjects.batch(RUN, 'rogue'), encodeMessage(single));
			await js.publish(subjects.event(RUN, 'rogue'), new Uint8Array(64).fill(7));
			await js.publish(subjects.batch(RUN, 'nobody'), encodeMessage(trajectoryBatch(16, 2, 0)));
			// Another run on the same bus: its messages are not this learner's.
			await kv.put(keys.hello('other-run', 'rogue'), helloRecord.encode(seedHandshake('rogue')));
			await js.publish(subjects.batch('other-run', 'rogue'), encodeMessage(trajectoryBatch(16, 3, 0)));
			const counted = await until(
				() => refusals(learner.o.port),
				(r) => (r['bus INVALID_FIELD'] ?? 0) >= 2 && (r['bus BAD_MAGIC'] ?? 0) >= 1 && (r['bus unknown actor'] ?? 0) >= 1,
				'the three refusals',
				20_000
			);
			assert.equal(counted['bus INVALID_FIELD'], 2);
			assert.equal(counted['bus UNEXPECTED_MESSAGE'], undefined);

			const jsm = await jetstreamManager(nc);
			await until(
				() => jsm.consumers.info(STREAM, consumerName(RUN)),
				(c) => c.num_pending === 0,
				'the learner to read them all',
				10_000
			);
			assert.equal((await learner.kill('SIGTERM')).code, 0);
			const left = await jsm.streams.info(STREAM, { subjects_filter: '>' });
			assert.deepEqual(
				left.state.subjects,
				{ [subjects.batch('other-run', 'rogue')]: 1 },
				"dropped messages are acked with the next checkpoint; the other run's stays"
			);
			const books = bookTotals(savedRun(join(dir, 'runs'), RUN));
			assert.equal(books.received, 0, "neither the refused batch nor the other run's was received");
			assert.equal(books.refused, 17, 'the refused batch and transition are counted');
		} finally {
			await nc.close();
			learner.kill('SIGKILL');
			gateway.kill('SIGKILL');
			await nats.stop('SIGKILL');
		}
	}
);
