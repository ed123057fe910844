/** The runtime's services alone, on a manual clock: liveness and pings, the failure policy of the run recorder. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CloseCode, ErrorCode, MessageType, ProtocolError, type EpisodeSummary, type Message } from '../../../src/lib/protocol/index.ts';
import { silentLog } from '../../../src/lib/server/log.ts';
import { ABNORMAL_CLOSE, ActorRegistry } from '../../../src/lib/server/runtime/actor-registry.ts';
import { ActorEntry, type ActorLink } from '../../../src/lib/server/runtime/actors.ts';
import { Alerts } from '../../../src/lib/server/runtime/alerts.ts';
import { ManualClock } from '../../../src/lib/server/runtime/clock.ts';
import type { TransitionIntake } from '../../../src/lib/server/runtime/intake.ts';
import { TransitionLedger } from '../../../src/lib/server/runtime/ledger.ts';
import { RunRecorder, type RunBooks } from '../../../src/lib/server/runtime/run-recorder.ts';
import { WeightsBroadcaster } from '../../../src/lib/server/runtime/weights-broadcaster.ts';
import type { TrainingLoop } from '../../../src/lib/server/runtime/training.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

class Link implements ActorLink {
	bufferedAmount = 0;
	readonly sent: Message[] = [];
	closed: number | undefined;
	send(message: Message): void {
		this.sent.push(message);
	}
	sendFrame(): void {}
	close(code: number): void {
		this.closed = code;
	}
}

describe('ActorRegistry', () => {
	const options = { maxActors: 2, heartbeatIntervalMs: 1000, actorTimeoutMs: 10_000 };

	it('refuses past its capacity and a second connection of one actor id', () => {
		const clock = new ManualClock();
		const registry = new ActorRegistry(options, clock, silentLog, new Alerts(clock));
		registry.admit(seedHandshake('a'), 'x', new Link(), 's1');
		const refused = (id: string) => assert.throws(() => registry.admit(seedHandshake(id), 'x', new Link(), `s-${id}`), ProtocolError);
		refused('a');
		registry.admit(seedHandshake('b'), 'x', new Link(), 's2');
		assert.throws(
			() => registry.admit(seedHandshake('c'), 'x', new Link(), 's3'),
			(e: ProtocolError) => e.code === ErrorCode.TOO_MANY_ACTORS
		);
		registry.remove('s1');
		registry.admit(seedHandshake('c'), 'x', new Link(), 's3');
		registry.close();
		registry.remove('s3');
		refused('d');
	});

	it('pings once per heartbeat interval and closes an actor silent past the timeout', () => {
		const clock = new ManualClock();
		const alerts = new Alerts(clock);
		const registry = new ActorRegistry(options, clock, silentLog, alerts);
		const link = new Link();
		const entry = registry.admit(seedHandshake('a'), 'x', link, 's1');
		for (let t = 0; t < 4000; t += 250) {
			registry.tick();
			clock.advance(250);
		}
		assert.deepStrictEqual(
			link.sent.map((m) => (m.type === MessageType.PING ? m.seq : -1)),
			[0, 1, 2, 3]
		);
		registry.pong(entry, clock.now() - 42);
		assert.equal(entry.rttMs, 42);
		clock.advance(6000);
		entry.seen(10); // heard from at 10 s: alive
		clock.advance(9000);
		registry.tick();
		assert.equal(link.closed, undefined);
		clock.advance(1001);
		registry.tick();
		assert.equal(link.closed, CloseCode.HEARTBEAT_TIMEOUT);
		assert.equal(entry.state, 'lost');
		assert.deepStrictEqual(
			alerts.open.map((a) => [a.kind, a.actorId]),
			[['actor-lost', 'a']]
		);
	});
	it('an actor whose connection drops without a close frame is lost at once, a clean close is not', () => {
		const clock = new ManualClock();
		const alerts = new Alerts(clock);
		const registry = new ActorRegistry(options, clock, silentLog, alerts);
		registry.admit(seedHandshake('a'), 'x', new Link(), 's1');
		registry.admit(seedHandshake('b'), 'x', new Link(), 's2');
		registry.remove('s1', 1000);
		assert.equal(alerts.open.length, 0);
		registry.remove('s2', ABNORMAL_CLOSE);
		assert.deepStrictEqual(
			alerts.open.map((a) => [a.kind, a.actorId]),
			[['actor-lost', 'b']]
		);
		assert.equal(registry.size, 0);
	});
});

/** The recorder's books around a stand-in intake (seqs and env steps are all it reads when saving). */
function booksOf(intake: { seqs(): Record<string, number>; envSteps: number }): RunBooks {
	const stand = {
		seqs: () => intake.seqs(),
		get envSteps() {
			return intake.envSteps;
		},
		markDurable: () => undefined,
		restore: () => undefined
	};
	return {
		intake: stand as unknown as TransitionIntake,
		ledger: new TransitionLedger(),
		limits: {},
		checkpointing: () => ({ saved: async () => undefined, failed: () => undefined })
	};
}

describe('RunRecorder failure policy', () => {
	const saves: Record<string, unknown>[] = [];
	const training = {
		snapshot: { counters: { updates: 10, samples: 640, policyVersion: 11 } },
		obsSpec: undefined,
		actionSpec: undefined,
		save: async (meta: Record<string, unknown>) => (
			saves.push(meta),
			{ checkpoint: new Uint8Array([1, 2, 3]), counters: { updates: 10, samples: 640, policyVersion: 11 } }
		)
	} as unknown as TrainingLoop;

	const books = booksOf({ seqs: () => ({ a: 7 }), envSteps: 0 });

	function recorder(runsDir = mkdtempSync(join(tmpdir(), 'pitwall-rec-'))) {
		const clock = new ManualClock();
		const alerts = new Alerts(clock);
		const options = { runsDir, runId: 'r', checkpointEveryUpdates: 10, checkpointEverySec: 300, keepCheckpoints: 2, maxMetricsMb: 1024 };
		return { runsDir, clock, alerts, recorder: new RunRecorder(options, training, books, clock, silentLog, alerts) };
	}

	it('a periodic checkpoint that cannot be written is an alert, not a crash', async () => {
		const { runsDir, alerts, recorder: r } = recorder();
		mkdirSync(join(runsDir, 'r', 'checkpoints', 'ckpt-00000010.zip.tmp')); // writing the checkpoint fails (EISDIR)
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		r.updated({ policyVersion: 11, samples: 64, updateMs: 5 } as never, training.snapshot as never); // update 10: periodic checkpoint
		await r.checkpoint('probe').catch(() => undefined); // queued after the periodic one
		await new Promise((resolve) => setImmediate(resolve));
		process.off('unhandledRejection', onUnhandled);
		assert.deepStrictEqual(unhandled, []);
		assert.equal(alerts.open.length, 1);
		assert.equal(alerts.open[0].kind, 'run-error');
		assert.match(alerts.open[0].message, /periodic checkpoint failed: .*EISDIR/);
		await assert.rejects(r.checkpoint('manual'), /EISDIR/); // an explicit request does see the error
	});

	it('a checkpoint with too little free disk is not started: an alert, the previous latest.zip intact', async () => {
		const { alerts, recorder: r } = recorder();
		await r.checkpoint('first');
		const latest = r.run.read('latest');
		r.run.freeSpace = () => ({ bavail: 10, bsize: 4096 });
		r.updated({ policyVersion: 11, samples: 64, updateMs: 5 } as never, training.snapshot as never); // update 10: periodic
		await r.checkpoint('probe').catch(() => undefined);
		assert.match(alerts.open.at(-1)?.message ?? '', /periodic checkpoint failed: not enough free disk for a checkpoint: 0 MB free/);
		assert.deepStrictEqual(r.run.read('latest'), latest);
	});

	it('a metrics write that fails is an alert and the point stays in memory', () => {
		const { runsDir, alerts, recorder: r } = recorder();
		mkdirSync(join(runsDir, 'r', 'metrics.jsonl')); // appends fail (EISDIR)
		assert.doesNotThrow(() => r.event('pause'));
		assert.equal(alerts.open[0]?.kind, 'run-error');
		assert.equal(r.metrics.points.at(-1)?.kind, 'event');
	});

	it('checkpoints every N updates and every T seconds, with each actor’s last seq', async () => {
		const { clock, recorder: r } = recorder();
		saves.length = 0;
		r.tick();
		clock.advance(299_000);
		r.tick();
		await r.checkpoint('manual'); // resets the period
		clock.advance(299_000);
		r.tick();
		assert.equal(saves.length, 1);
		clock.advance(1001);
		r.tick(); // 300 s after the manual one
		r.updated({ policyVersion: 11, samples: 64, updateMs: 5 } as never, training.snapshot as never); // update 10
		await r.checkpoint('manual');
		assert.equal(saves.length, 4);
		assert.deepStrictEqual(saves[0].lastSeq, { a: 7 });
		assert.equal(saves[0].envSteps, 0);
		assert.deepStrictEqual(
			r.run.list().map((c) => c.id),
			['ckpt-00000010', 'latest']
		);
	});
});

describe('RunRecorder episode steps', () => {
	it('are the run’s env steps, strictly increasing, and continue after a restart', () => {
		const runsDir = mkdtempSync(join(tmpdir(), 'pitwall-ep-'));
		const clock = new ManualClock();
		const intake = { seqs: () => ({}), envSteps: 1000 };
		const books = booksOf(intake);
		const training = { snapshot: undefined } as unknown as TrainingLoop;
		const options = { runsDir, runId: 'r', checkpointEveryUpdates: 10, checkpointEverySec: 300, keepCheckpoints: 2, maxMetricsMb: 1024 };
		const entry = { id: 'a' } as ActorEntry;
		const summary = { return: 1, length: 10, lapTimesMs: [], cleanLaps: 0, policyVersion: 1 } as unknown as EpisodeSummary;
		const steps = (r: RunRecorder) => r.metrics.points.filter((p) => p.kind === 'episode').map((p) => p.step);
		const first = new RunRecorder(options, training, books, clock, silentLog, new Alerts(clock));
		first.episode(entry, summary);
		first.episode(entry, summary); // no batch in between: a later step all the same
		intake.envSteps = 1500;
		first.episode(entry, summary);
		assert.deepStrictEqual(steps(first), [1000, 1001, 1500]);
		intake.envSteps = 0; // a restart whose checkpoint predates these episodes
		const second = new RunRecorder(options, training, books, clock, silentLog, new Alerts(clock));
		second.episode(entry, summary);
		assert.deepStrictEqual(steps(second), [1000, 1001, 1500, 1501]);
	});
});

describe('WeightsBroadcaster lag alerts', () => {
	it('wait for an actor’s first ack, then alert when it falls more than maxLag behind', () => {
		const clock = new ManualClock();
		const alerts = new Alerts(clock);
		const weights = new WeightsBroadcaster(() => undefined, { weightsMaxBufferedBytes: 1 << 20 }, alerts, silentLog);
		const entry = new ActorEntry('s', seedHandshake('a'), 'x', new Link(), clock);
		entry.sentVersion = 9; // weights on the way to a fresh connection: no ack yet
		weights.tick([entry], 9, 2);
		assert.equal(alerts.open.length, 0);
		weights.ack(entry, { type: MessageType.WEIGHTS_ACK, policyVersion: 5, error: '' });
		weights.tick([entry], 9, 2);
		assert.deepStrictEqual(
			alerts.open.map((a) => a.kind),
			['policy-lag']
		);
	});
});
