/**
 * Scale-out on a real nats-server (JetStream, file storage): 1 learner, 2 gateways and 4 agent
 * processes over real sockets. Training runs through the bus; the learner is killed with SIGKILL
 * and started again, and one agent leaves while it is down; a gateway is killed and its agents
 * fail over to the other; nats-server is restarted. At the end every step an agent recorded is in the run's books once (received, then
 * trained, dropped with a reason or held) or counted by the agent as never stored, and the stream
 * holds nothing the learner did not checkpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAM, consumerName } from '../../src/lib/bus/names.ts';
import { GatewayProcess, HAVE_NATS, NO_NATS, NatsServer, learnerStatus, until } from '../fixtures/bus.ts';
import { AgentProcess, BUILT, bookTotals, freePort, LearnerProcess, savedRun } from '../fixtures/fleet.ts';
import { waitFor } from './helpers.ts';

const RUN = 'bus-run';
const LEARNER_ARGS = ['--checkpoint-every-updates', '2', '--checkpoint-every-sec', '3', '--ppo', '{"nSteps":1024}'];
// 25× real time, never waiting for a policy (as real-time cars do): batches keep coming while the learner is down.
const AGENT_ARGS = ['--time-scale', '25', '--learner-timeout-ms', '3000', '--batch-steps', '64'];

it(
	'through 2 gateways and JetStream: a SIGKILLed learner, a killed gateway and a restarted nats-server lose nothing',
	{ skip: (!BUILT && 'build/server.js or the agent bundle not built (npm run build)') || (!HAVE_NATS && NO_NATS), timeout: 300_000 },
	async (t) => {
		const dir = mkdtempSync(join(tmpdir(), 'pitwall-bus-'));
		const nats = new NatsServer(await freePort(), join(dir, 'jetstream'));
		await nats.start();
		const o = { port: await freePort(), runsDir: join(dir, 'runs'), runId: RUN, args: [...LEARNER_ARGS, '--bus', nats.url] };
		let learner = new LearnerProcess(o);
		const gateways = [1, 2].map(async (i) => new GatewayProcess({ bus: nats.url, runId: RUN, port: await freePort(), name: `g${i}` }));
		const [g1, g2] = await Promise.all(gateways);
		const agents: AgentProcess[] = [];
		let leaver: AgentProcess | undefined;
		try {
			await waitFor(() => g1.listening && g2.listening && learner.listening, 'the gateways and the learner to listen', 30_000, 20);
			for (let i = 1; i <= 4; i++) {
				const urls = i <= 2 ? `${g1.url},${g2.url}` : `${g2.url},${g1.url}`;
				agents.push(new AgentProcess({ url: urls, name: `car-${i}`, seed: i, args: AGENT_ARGS }));
			}
			await until(
				() => learnerStatus(o.port),
				(s) => s.policyVersion >= 4 && s.actors === 4,
				'training through the bus',
				90_000
			);

			// The learner dies between checkpoints; the gateways keep storing what the agents send.
			await waitFor(() => learner.count(/^checkpoint saved$/) >= 1, 'a checkpoint', 60_000, 20);
			const publishedBefore = (await g1.status()).published + (await g2.status()).published;
			await learner.kill('SIGKILL');
			await until(
				async () => (await g1.status()).published + (await g2.status()).published,
				(n) => n > publishedBefore,
				'the gateways to store batches while no learner runs',
				20_000
			);
			// One agent leaves while no learner runs (its gateway deletes its session record): the next
			// learner still trains on what the stream holds of it.
			leaver = agents.pop()!;
			assert.equal((await leaver.kill('SIGTERM')).code, 0);
			learner = new LearnerProcess(o);
			await waitFor(() => learner.count(/^run resumed$/) === 1, 'the resume', 60_000, 50);
			const resumedAt = Number(learner.line(/^run resumed$/)!.policyVersion);
			await until(
				() => learnerStatus(o.port),
				(s) => s.policyVersion >= resumedAt + 3,
				'training after the learner restart',
				90_000
			);

			// A gateway dies: its agents go to the other within seconds.
			await g1.kill('SIGKILL');
			const killedAt = Date.now();
			await until(
				() => g2.status(),
				(s) => s.actors === 3,
				'all 3 agents on the surviving gateway',
				15_000
			);
			const failoverMs = Date.now() - killedAt;
			assert.ok(failoverMs < 10_000, `failover took ${failoverMs} ms`);
			t.diagnostic(`failover to the surviving gateway: ${failoverMs} ms`);
			// The dead gateway never deleted its actors' records: the learner stops showing them once they are not rewritten.
			await until(
				() => learnerStatus(o.port),
				(s) => s.bus?.gateways.join() === 'g2' && s.actors === 3,
				'the console to show only g2',
				20_000
			);
			const beforeRestart = (await learnerStatus(o.port)).policyVersion;
			await until(
				() => learnerStatus(o.port),
				(s) => s.policyVersion >= beforeRestart + 2,
				'training through one gateway',
				60_000
			);

			// nats-server restarts on its store: everyone reconnects and the run goes on.
			await nats.stop();
			await new Promise((resolve) => setTimeout(resolve, 1000));
			await nats.start();
			const afterRestart = (await learnerStatus(o.port)).policyVersion;
			await until(
				() => learnerStatus(o.port),
				(s) => s.policyVersion >= afterRestart + 3,
				'training after the nats-server restart',
				90_000
			);
			assert.ok(
				agents.every((a) => a.alive),
				'the agents rode out every failure'
			);

			// Agents stop; the learner drains the stream, then stops with a checkpoint that holds it all.
			await Promise.all(agents.map((a) => a.kill('SIGTERM')));
			const nc = await connect({ servers: nats.url });
			try {
				const jsm = await jetstreamManager(nc);
				await until(
					() => jsm.consumers.info(STREAM, consumerName(RUN)),
					(c) => c.num_pending === 0,
					'the learner to take every stored message',
					60_000
				);
				assert.equal((await learner.kill('SIGTERM')).code, 0);
				const stream = await jsm.streams.info(STREAM);
				assert.equal(stream.state.messages, 0, 'the last checkpoint holds (and acked) every stored message');
			} finally {
				await nc.close();
			}
		} finally {
			learner.kill('SIGKILL');
			for (const a of agents) a.kill('SIGKILL');
			g1.kill('SIGKILL');
			g2.kill('SIGKILL');
			await nats.stop('SIGKILL');
		}

		if (leaver) agents.push(leaver);
		const stopped = agents.map((a) => a.stopped()!);
		assert.ok(
			stopped.every((s) => s !== undefined),
			'each agent logged its figures at exit'
		);
		const recorded = stopped.reduce((sum, s) => sum + s.recordedSteps, 0);
		const neverStored = stopped.reduce((sum, s) => sum + s.droppedSteps + s.unstoredSteps, 0);
		const books = bookTotals(savedRun(o.runsDir, o.runId));
		assert.equal(books.skippedBatches, 0, 'no batch went missing');
		assert.equal(books.received + neverStored, recorded, `recorded ${recorded} = received ${books.received} + never stored ${neverStored}`);
		assert.equal(books.refused, 0, 'nothing was refused');
		t.diagnostic(
			`recorded ${recorded}, received ${books.received} (trained ${books.trained}, stale ${books.stale}, overflow ${books.overflow}, held ${books.held}), never stored ${neverStored}, resent batches ${books.resentBatches}`
		);
	}
);
