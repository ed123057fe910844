/**
 * The agent's link against a scripted learner on a real loopback WebSocket: batches are kept until
 * durable (not merely stored), resent to a restarted learner after its checkpoint's lastSeq, never
 * resent to the learner that stored them, and a silent learner is given up on.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { LearnerLink } from '../../../bridge-agent/src/link/learner-link.ts';
import { createLogger } from '../../../bridge-agent/src/log.ts';
import { Decoder, encodeMessage, MessageType, type EpisodeSummary, type HandshakeAccept, type Message, type Ping } from '../../../src/lib/protocol/index.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';
import { seedHandshake, trajectoryBatch } from '../../fixtures/trajectory.ts';
import { waitFor } from '../../integration/helpers.ts';

/** One learner connection as the test sees it: what the agent sent, and a way to answer. */
class Peer {
	readonly received: Message[] = [];
	private readonly decoder = new Decoder();
	constructor(readonly socket: WebSocket) {
		socket.on('message', (data: Buffer) => this.received.push(this.decoder.decode(new Uint8Array(data))));
	}
	send(message: Message): void {
		this.socket.send(encodeMessage(message));
	}
	accept(lastSeq: number, durableSeq?: number): void {
		const accept: HandshakeAccept = { ...(SAMPLE_MESSAGES.handshakeAccept as HandshakeAccept), lastSeq, heartbeatIntervalMs: 60_000 };
		this.send(durableSeq === undefined ? accept : { ...accept, durableSeq });
	}
	seqs(): number[] {
		return this.received.flatMap((m) => (m.type === MessageType.TRANSITION_BATCH || m.type === MessageType.TRANSITION ? [m.seq] : []));
	}
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
const peers: Peer[] = [];
wss.on('connection', (socket) => peers.push(new Peer(socket)));
await new Promise((resolve) => wss.once('listening', resolve));
const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
after(() => wss.close());

const nextPeer = async (count: number) => {
	await waitFor(() => peers.length >= count && peers[count - 1].received.some((m) => m.type === MessageType.HANDSHAKE), `connection ${count}`);
	return peers[count - 1];
};

function link(silenceTimeoutMs = 60_000): LearnerLink {
	return new LearnerLink({
		urls: [url],
		token: '',
		hello: seedHandshake('car'),
		bufferLimitSteps: 100_000,
		silenceTimeoutMs,
		columns: 'raw',
		log: createLogger({ level: 'error', json: true, name: 'test' }, () => undefined),
		stats: () => (SAMPLE_MESSAGES.pingWithStats as Ping).stats!,
		onWeights: () => '',
		onFatal: () => undefined
	});
}

const batch = (i: number) => {
	const { seq: _seq, ...rest } = trajectoryBatch(10, i, 0, 1, i * 10);
	return rest;
};

describe('LearnerLink delivery', () => {
	it('keeps stored batches until durable and resends them to a restarted learner, not to the one that stored them', async () => {
		peers.length = 0;
		const agent = link();
		agent.start();
		const first = await nextPeer(1);
		agent.sendEpisode({ ...(SAMPLE_MESSAGES.episodeSummary as EpisodeSummary) }); // before the accept: not sent
		first.accept(-1);
		await waitFor(() => agent.connected, 'accepted');
		for (let i = 0; i < 5; i++) agent.sendBatch(batch(i));
		await waitFor(() => first.seqs().length === 5, 'five batches');
		assert.deepStrictEqual(first.seqs(), [0, 1, 2, 3, 4]);
		assert.ok(!first.received.some((m) => m.type === MessageType.EPISODE_SUMMARY), 'nothing but the handshake before the accept');

		first.send({ type: MessageType.BATCH_ACK, seq: 4, durable: 1 });
		await waitFor(() => agent.unstoredSteps === 0, 'all stored');
		assert.equal(agent.bufferedSteps, 30, 'seq 2..4 kept: stored, not durable');

		// The link drops and comes back to the same learner: it holds 0..4, nothing is sent again.
		first.socket.terminate();
		const second = await nextPeer(2);
		second.accept(4, 1);
		await waitFor(() => agent.connected, 'reconnected');
		agent.sendBatch(batch(5));
		await waitFor(() => second.seqs().length === 1, 'the new batch');
		assert.deepStrictEqual(second.seqs(), [5]);

		// The learner crashes; the restarted one resumed from the checkpoint that holds up to seq 1.
		second.socket.terminate();
		const third = await nextPeer(3);
		third.accept(1, 1);
		await waitFor(() => third.seqs().length === 4, 'the resends');
		assert.deepStrictEqual(third.seqs(), [2, 3, 4, 5], 'same numbers, in order');
		third.send({ type: MessageType.BATCH_ACK, seq: 5, durable: 5 });
		await waitFor(() => agent.bufferedSteps === 0, 'freed once durable');
		assert.equal(agent.droppedSteps, 0);
		agent.close();
	});

	it('a learner without durable acks frees on the stored seq (older learners, other implementations)', async () => {
		peers.length = 0;
		const agent = link();
		agent.start();
		const peer = await nextPeer(1);
		peer.accept(-1);
		await waitFor(() => agent.connected, 'accepted');
		agent.sendBatch(batch(0));
		await waitFor(() => peer.seqs().length === 1, 'a batch');
		peer.send({ type: MessageType.BATCH_ACK, seq: 0 });
		await waitFor(() => agent.bufferedSteps === 0, 'freed');
		agent.close();
	});

	it('reconnects when the learner falls silent (a half-open link), and resends what it did not store', async () => {
		peers.length = 0;
		const agent = link(600);
		agent.start();
		const quiet = await nextPeer(1);
		quiet.accept(-1);
		await waitFor(() => agent.connected, 'accepted');
		agent.sendBatch(batch(0));
		// No ack, no PING: the agent gives up on this connection and opens another.
		const next = await nextPeer(2);
		assert.equal(agent.silences, 1);
		next.accept(-1);
		await waitFor(() => next.seqs().length === 1, 'the resend');
		assert.deepStrictEqual(next.seqs(), [0]);
		agent.close();
	});
});
