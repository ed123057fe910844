/**
 * The learner end to end over real loopback sockets: training from two actors, broadcasts and
 * acks, stale drops, heartbeats during an update, remote chunked control, checkpoints, resume,
 * shutdown and the named limits.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CloseCode, MessageType, encodeMessage, type TransitionBatch, type WeightsUpdate } from '../../src/lib/protocol/index.ts';
import { loadCheckpoint } from '../../src/lib/ppo/checkpoint.ts';
import { initBackend } from '../../src/lib/ppo/backend.ts';
import { seedHandshake, trajectoryBatch } from '../fixtures/trajectory.ts';
import { TestClient, startTestServer, waitFor, wsUrl } from './helpers.ts';

const PPO = { nSteps: 256, minibatchSize: 64, updateEpochs: 2, hiddenSizes: [16, 16], maxPolicyLag: 1 };

/** An actor that acks every WEIGHTS_UPDATE it gets, as the bridge-agent does. */
class Actor {
	version = 0;
	seq = 0;
	readonly client: TestClient;
	private readonly versions: ((v: number) => void)[] = [];

	constructor(
		url: string,
		readonly id: string,
		mode: 'local' | 'remote' = 'local'
	) {
		this.client = new TestClient(url);
		this.client.opened.then(() => this.client.send(encodeMessage(seedHandshake(id, mode))));
		this.client.onMessage = (message) => {
			if (message.type !== MessageType.WEIGHTS_UPDATE) return false;
			this.version = message.manifest.policyVersion;
			this.client.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: this.version, error: '' }));
			this.versions.splice(0).forEach((resolve) => resolve(this.version));
			return true;
		};
	}

	/** Resolves once weights of at least `version` arrived. */
	async weights(version: number, timeoutMs = 15_000): Promise<number> {
		const deadline = Date.now() + timeoutMs;
		while (this.version < version) {
			if (Date.now() > deadline) throw new Error(`${this.id}: no weights v${version} (has v${this.version})`);
			await new Promise<number>((resolve) => {
				this.versions.push(resolve);
				setTimeout(() => resolve(this.version), 200);
			});
		}
		return this.version;
	}

	sendSteps(n: number, version = this.version): TransitionBatch {
		const batch = trajectoryBatch(n, this.seq + 17, this.seq, 1, this.seq * n);
		batch.policyVersion.fill(version);
		this.client.send(encodeMessage(batch));
		this.seq++;
		return batch;
	}
}

describe('learner', () => {
	let ctx: Awaited<ReturnType<typeof startTestServer>>;
	let url: string;
	before(async () => {
		ctx = await startTestServer(
			{},
			{
				ppo: PPO,
				runId: 'learner-test',
				trainerThreads: 2,
				checkpointEveryUpdates: 2,
				maxActors: 3,
				maxTelemetryPerSec: 50,
				maxMessagesPerSec: 200,
				controlChunk: 4
			}
		);
		url = wsUrl(ctx.server, '/ws/actor');
	});
	after(() => ctx.server.close().catch(() => {}));

	let a1: Actor;
	let a2: Actor;

	it('trains on two actors, broadcasts each new policy and tracks their acks', async () => {
		a1 = new Actor(url, 'a1');
		a2 = new Actor(url, 'a2');
		assert.equal(await a1.weights(1), 1);
		await a2.weights(1);
		for (let i = 0; i < 2; i++) {
			a1.sendSteps(64);
			a2.sendSteps(64);
		}
		assert.equal(await a1.weights(2), 2);
		await a2.weights(2);
		const acked = () =>
			ctx.runtime
				.actorInfos()
				.map((a) => a.ackedVersion)
				.sort();
		await waitFor(() => acked().join() === '2,2', 'both acks of v2');
		const status = ctx.runtime.status();
		assert.equal(status.updates, 1);
		assert.equal(status.samples, 256);
		assert.deepStrictEqual(acked(), [2, 2]);
		const update = ctx.runtime.metrics.points.find((p) => p.kind === 'update');
		assert.ok(update && typeof update['losses/approx_kl'] === 'number');
		// The update's gradients were split over two threads inside the trainer worker, and its time counts as busy.
		assert.deepStrictEqual({ ...status.trainer, busy: undefined }, { threads: 2, threadsAsked: 2, busy: undefined });
		await waitFor(() => (ctx.runtime.status().trainer?.busy ?? 0) > 0, 'the update counted as trainer busy time');
	});

	it('drops samples older than maxPolicyLag and counts them per actor', async () => {
		const before = ctx.runtime.actorInfos().find((a) => a.id === 'a1')!.transitions.stale;
		const batch = a1.sendSteps(32, 0); // version 0 < 2 − maxPolicyLag
		while ((await a1.client.expect(MessageType.BATCH_ACK)).seq < batch.seq);
		const after = ctx.runtime.actorInfos().find((a) => a.id === 'a1')!.transitions.stale;
		assert.equal(after - before, 32);
	});

	it('answers PING while an update runs in the worker (its RTT is measured by `npm run bench -- update-rtt`)', async () => {
		await ctx.runtime.setHyperparams({ learningRate: 1e-4 });
		const probe = a1.client; // an accepted actor: a PING before the HANDSHAKE is refused (4004)
		// A PONG that comes back while the same update is still running proves that the socket was
		// served during it; no milliseconds are asserted. Updates repeat until one such PING landed.
		const sameUpdate = (updates: number) => ctx.runtime.training.state === 'updating' && ctx.runtime.status().updates === updates;
		let answeredDuringUpdate = false;
		const deadline = Date.now() + 30_000;
		while (!answeredDuringUpdate) {
			assert.ok(Date.now() < deadline, 'no PING was answered during an update within 30 s');
			const version = a2.version;
			for (let i = 0; i < 4; i++) a2.sendSteps(64);
			while (!answeredDuringUpdate && a2.version === version && Date.now() < deadline) {
				const updates = ctx.runtime.status().updates;
				if (sameUpdate(updates)) {
					probe.send(encodeMessage({ type: MessageType.PING, seq: 1, t: 0 }));
					await probe.expect(MessageType.PONG);
					answeredDuringUpdate = sameUpdate(updates);
				} else await new Promise((resolve) => setTimeout(resolve, 1));
			}
			await a2.weights(version + 1);
		}
	});

	it('serves remote-mode actors k actions per telemetry request', async () => {
		const remote = new Actor(url, 'r1', 'remote');
		await remote.client.expect(MessageType.HANDSHAKE_ACCEPT);
		const frame = {
			t: 1,
			speedKmh: 100,
			steer: 0,
			gas: 1,
			brake: 0,
			gear: 3,
			rpm: 5000,
			x: 0,
			y: 0,
			z: 0,
			lapPosition: 0.1,
			completedLaps: 0,
			lapTimeMs: 1000,
			lastLapMs: 0,
			bestLapMs: 0,
			tyresOut: 0
		};
		remote.client.send(encodeMessage({ type: MessageType.TELEMETRY, frame, requestId: 7, obs: trajectoryBatch(1, 3).obs }));
		const chunk = await remote.client.expect(MessageType.CONTROL_BATCH);
		assert.equal(chunk.requestId, 7);
		assert.equal(chunk.k, 4);
		assert.equal(chunk.actions.length, 12);
		assert.equal(chunk.policyVersion, ctx.runtime.policyVersion);
		assert.equal(ctx.runtime.actor('r1')!.telemetry.length, 1);
		remote.client.close();
		await remote.client.closed;
	});

	it('refuses telemetry faster than maxTelemetryPerSec (close 4006)', async () => {
		const noisy = new Actor(url, 'noisy', 'remote');
		await noisy.client.expect(MessageType.HANDSHAKE_ACCEPT);
		const frame = {
			t: 1,
			speedKmh: 0,
			steer: 0,
			gas: 0,
			brake: 0,
			gear: 1,
			rpm: 0,
			x: 0,
			y: 0,
			z: 0,
			lapPosition: 0,
			completedLaps: 0,
			lapTimeMs: 0,
			lastLapMs: 0,
			bestLapMs: 0,
			tyresOut: 0
		};
		for (let i = 0; i < 60; i++) noisy.client.send(encodeMessage({ type: MessageType.TELEMETRY, frame, requestId: 0 }));
		assert.equal((await noisy.client.expect(MessageType.ERROR)).code, 'RATE_LIMITED');
		assert.equal((await noisy.client.closed).code, CloseCode.RATE_LIMITED);
	});

	it('refuses an episode-summary flood (it grew metrics.jsonl by 306 MB) and any message flood (close 4006)', async () => {
		const flood = new Actor(url, 'flood');
		await flood.weights(1);
		const lines = () => ctx.runtime.metrics.points.filter((p) => p.kind === 'episode' && p.actorId === 'flood').length;
		const summary = encodeMessage({
			type: MessageType.EPISODE_SUMMARY,
			episodeId: 1,
			return: 1,
			length: 10,
			endReason: 'truncated',
			terminated: false,
			truncated: true,
			lapTimesMs: [61_000],
			cleanLaps: 1,
			policyVersion: 1
		});
		for (let i = 0; i < 500; i++) flood.client.send(summary);
		assert.equal((await flood.client.expect(MessageType.ERROR)).code, 'RATE_LIMITED');
		assert.equal((await flood.client.closed).code, CloseCode.RATE_LIMITED);
		assert.ok(lines() <= 2 * 20, `${lines()} episode lines from the flood: at most the limit per second`);

		const chatter = new Actor(url, 'chatter');
		await chatter.weights(1);
		// 2000 frames in well under the 10 s it would take to spread them below 200 a second.
		const pong = encodeMessage({ type: MessageType.PONG, seq: 1, t: 0 });
		for (let i = 0; i < 2000; i++) chatter.client.send(pong);
		const error = await chatter.client.expect(MessageType.ERROR);
		assert.equal(error.code, 'RATE_LIMITED');
		assert.match(error.message, /200 messages per second/);
		assert.equal((await chatter.client.closed).code, CloseCode.RATE_LIMITED);
	});

	it('answers at most maxPingsPerSec PINGs a second, then refuses the flood (a PONG each cost a socket write)', async () => {
		const pinger = new Actor(url, 'pinger');
		await pinger.weights(1);
		let pongs = 0;
		pinger.client.onMessage = (m) => (m.type === MessageType.PONG && pongs++, false);
		const ping = encodeMessage({ type: MessageType.PING, seq: 1, t: 0 });
		for (let i = 0; i < 150; i++) pinger.client.send(ping);
		const error = await pinger.client.expect(MessageType.ERROR);
		assert.equal(error.code, 'RATE_LIMITED');
		assert.match(error.message, /10 PINGs per second/);
		assert.equal((await pinger.client.closed).code, CloseCode.RATE_LIMITED);
		assert.ok(pongs <= 2 * 10, `${pongs} PONGs for a 150-PING burst: at most the limit per second`);
		assert.ok((ctx.runtime.status().refusals.RATE_LIMITED ?? 0) >= 3, 'the floods of this file were counted');
	});

	it('refuses a finite but absurd reward (3e38 poisoned the policy) and keeps training on finite weights', async () => {
		const hostile = new Actor(url, 'poison');
		await hostile.weights(1);
		const batch = trajectoryBatch(64, 5, 0);
		batch.reward[10] = 3e38;
		hostile.client.send(encodeMessage(batch));
		const error = await hostile.client.expect(MessageType.ERROR);
		assert.equal(error.code, 'INVALID_FIELD');
		assert.match(error.message, /maxAbsReward/);
		assert.equal((await hostile.client.closed).code, CloseCode.INVALID_PAYLOAD);
		const before = ctx.runtime.status().updates;
		for (let i = 0; i < 8; i++) (i % 2 ? a2 : a1).sendSteps(64);
		await waitFor(() => ctx.runtime.status().updates > before, 'an update on the honest actors’ steps', 30_000);
		assert.ok((ctx.runtime.training.snapshot!.weights as WeightsUpdate).data.every(Number.isFinite));
	});

	it('refuses an actor whose spec differs (4003) and one over maxActors (4005)', async () => {
		const other = new TestClient(url);
		await other.opened;
		const hello = seedHandshake('odd');
		hello.actionSpec = { ...hello.actionSpec, high: new Float32Array([1, 1, 2]) };
		other.send(encodeMessage(hello));
		assert.equal((await other.expect(MessageType.ERROR)).code, 'SPEC_MISMATCH');
		assert.equal((await other.closed).code, CloseCode.SPEC_MISMATCH);

		const third = new Actor(url, 'a3');
		await third.client.expect(MessageType.HANDSHAKE_ACCEPT);
		const fourth = new TestClient(url);
		await fourth.opened;
		fourth.send(encodeMessage(seedHandshake('a4')));
		assert.equal((await fourth.expect(MessageType.ERROR)).code, 'TOO_MANY_ACTORS');
		assert.equal((await fourth.closed).code, CloseCode.TOO_MANY_ACTORS);
		third.client.close();
		await third.client.closed;
	});

	it('saves checkpoints that load into the same policy', async () => {
		const id = await ctx.runtime.checkpoint('manual');
		const bytes = ctx.runtime.run.read(id)!;
		await initBackend(['cpu']);
		const { trainer } = loadCheckpoint(bytes);
		const live = ctx.runtime.training.snapshot!.weights as WeightsUpdate;
		assert.deepStrictEqual(trainer.params(), live.data);
		assert.deepStrictEqual(trainer.counters, ctx.runtime.training.snapshot!.counters);
		trainer.dispose();
		assert.ok(ctx.runtime.run.info('latest'));
	});

	it('shuts down gracefully and resumes with its curves intact', async () => {
		const updatesBefore = ctx.runtime.status().updates;
		const pointsBefore = ctx.runtime.metrics.points.length;
		const closed = a1.client.closed;
		await ctx.server.close();
		assert.equal((await closed).code, CloseCode.GOING_AWAY);
		assert.ok(existsSync(join(ctx.runsDir, 'learner-test', 'checkpoints', 'latest.zip')));

		const again = await startTestServer({}, { runsDir: ctx.runsDir, runId: 'learner-test', ppo: PPO });
		try {
			await again.runtime.started;
			const status = again.runtime.status();
			assert.equal(status.updates, updatesBefore);
			assert.ok(again.runtime.metrics.points.length >= pointsBefore, 'metrics history reloaded');
			const steps = again.runtime.metrics.points.filter((p) => p.kind === 'update').map((p) => p.step);
			assert.ok(
				steps.every((s, i) => i === 0 || s >= steps[i - 1]),
				'steps never go backwards'
			);
			const actor = new Actor(wsUrl(again.server, '/ws/actor'), 'a1');
			const accept = await actor.client.expect(MessageType.HANDSHAKE_ACCEPT);
			assert.ok(accept.lastSeq >= 1, 'sequence numbers survive the restart');
			assert.equal(await actor.weights(status.policyVersion), status.policyVersion);
			actor.client.close();
		} finally {
			await again.server.close();
		}
	});
});
