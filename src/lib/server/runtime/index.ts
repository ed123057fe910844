/**
 * The runtime: the one owner of the learner's process state (architecture rule 2), as a narrow
 * facade over services with one job each —
 *   ActorRegistry      who is connected: admission, liveness, pings, RTT
 *   TransitionIntake   exactly-once batches into the rollout store; stored and durable seqs
 *   TransitionLedger   where every step went (received, trained, dropped by reason, held)
 *   TrainingLoop       rollout store → trainer worker → new policy
 *   WeightsBroadcaster encode once, coalesce, acks, lag
 *   RemoteInference    actions for remote-mode actors
 *   TelemetryGate      rate-limited telemetry for the live view
 *   RunRecorder        metrics, TensorBoard, config, checkpoints
 *   Evaluations        deterministic evaluation episodes on request
 *   Laps               tracks, laps, leaderboards and replays for the console
 *   RunIndex           every run in the runs directory, read-only (the runs page)
 *   LearnerBus         with --bus: actors behind gateways, their stream, weights for the gateways
 * Sessions and routes call the facade's methods, never a service's. Each service takes the
 * injected clock and logger. The process's one runtime lives in a globalThis slot (slot.ts).
 */
import { randomUUID } from 'node:crypto';
import {
	CloseCode,
	ErrorCode,
	MessageType,
	PROTOCOL_VERSION,
	ProtocolError,
	type ActorInfo,
	type BatchAck,
	type EpisodeSummary,
	type EvaluationInfo,
	type Handshake,
	type HandshakeAccept,
	type LapEntry,
	type LapReplay,
	type LapReport,
	type LapsView,
	type LearnerStatus,
	type RunSeries,
	type RunSummary,
	type Ping,
	type Telemetry,
	type TelemetryBatch,
	type TrackDescription,
	type TrackView,
	type TrainerLoadStatus,
	type TransitionBatch,
	type WeightsAck
} from '../../protocol/index.ts';
import { Rng } from '../../ppo/random.ts';
import type { ServerConfig } from '../config.ts';
import { LimitedLog } from '../limited-log.ts';
import { createLog, type Log } from '../log.ts';
import { LapFiles } from '../run/lap-files.ts';
import { RunIndex } from '../run/run-index.ts';
import { ActorRegistry } from './actor-registry.ts';
import type { ActorEntry, ActorLink } from './actors.ts';
import { Alerts } from './alerts.ts';
import { systemClock, type Clock } from './clock.ts';
import { Evaluations } from './evaluations.ts';
import { TransitionIntake } from './intake.ts';
import { Laps } from './laps.ts';
import { TransitionLedger } from './ledger.ts';
import { RemoteInference } from './remote-inference.ts';
import { RunRecorder } from './run-recorder.ts';
import { specMismatch } from './specs.ts';
import { TelemetryGate } from './telemetry-gate.ts';
import { TrainerLoad } from './trainer-load.ts';
import type { Bus } from '../../bus/connection.ts';
import { LearnerBus } from '../bus/learner-bus.ts';
import { busRuntime } from './bus-runtime.ts';
import { trainerChoiceFor } from './trainer-choice.ts';
import { TrainingLoop } from './training.ts';
import type { TrainerCompute } from '../trainer/messages.ts';
import { WeightsBroadcaster, encodedOnce, type EncodedWeights } from './weights-broadcaster.ts';

export { ActorEntry, type ActorLink } from './actors.ts';

/** The timer's period: the services' ticks (liveness, pings, retries, alerts, periodic checkpoints). */
const TICK_MS = 250;

export interface RuntimeDeps {
	clock?: Clock;
	log?: Log;
	/** Start the tick timer (tests with a manual clock call tick() themselves). */
	timer?: boolean;
}

export class Runtime {
	readonly config: ServerConfig;
	readonly runId: string;
	readonly startedAt: number;
	readonly alerts: Alerts;
	readonly training: TrainingLoop;
	/** Resolves when a resumed trainer is ready (or at once for a new run). */
	readonly started: Promise<void>;
	/** `started` has resolved: actors may be admitted. */
	isStarted = false;
	private readonly clock: Clock;
	private readonly log: Log;
	private readonly actors: ActorRegistry;
	private readonly intake: TransitionIntake;
	private readonly ledger = new TransitionLedger();
	private readonly load = new TrainerLoad();
	private readonly weights: WeightsBroadcaster;
	/** The newest weights as one frame, encoded once per version (for actors and the bus). */
	private readonly encodedWeights: () => EncodedWeights | undefined;
	private readonly remote: RemoteInference;
	private readonly telemetryGate: TelemetryGate;
	private readonly recorder: RunRecorder;
	private readonly evaluations: Evaluations;
	private readonly laps: Laps;
	/** Every run in the runs directory, read-only (the runs page). */
	private readonly runIndex: RunIndex;
	private readonly timer: ReturnType<typeof setInterval> | undefined;
	/** Refusals of connections and sessions: logged within limits, counted by code (status().refusals). */
	readonly refusals: LimitedLog;
	/** With --bus (attachBus). */
	private bus: LearnerBus | undefined;

	constructor(config: ServerConfig, deps: RuntimeDeps = {}) {
		this.config = config;
		const { learner } = config;
		this.runId = learner.runId;
		this.clock = deps.clock ?? systemClock;
		this.log = deps.log ?? createLog({ level: config.logLevel, format: config.logFormat });
		this.startedAt = this.clock.now();
		const child = (service: string) => this.logger(service);
		this.refusals = new LimitedLog(this.clock);
		this.alerts = new Alerts(this.clock, child('alerts'));
		this.training = new TrainingLoop(
			learner.backends,
			{ replayBytes: learner.replayCheckpointMb * 2 ** 20, threads: learner.trainerThreads },
			{
				ready: (snapshot) => {
					this.load.observe(snapshot.compute.busyMs, this.clock.now()); // the baseline; tick() samples from here
					this.recorder.started(snapshot, { ...learner, ppo: undefined, sac: undefined });
					this.log.info(
						{ backend: snapshot.backend, obsDim: snapshot.obsDim, actionDim: snapshot.actionDim, policyVersion: snapshot.counters.policyVersion },
						'trainer ready'
					);
					this.broadcast();
					void this.publishRun();
				},
				updated: (result, snapshot) => {
					this.broadcast(); // first: actors wait for it; the bookkeeping can follow
					this.recorder.updated(result, snapshot);
				},
				rejected: (reason, steps) => {
					this.log.error({ reason, steps }, 'update rolled back: non-finite numbers');
					const dropped = steps > 0 ? `; its ${steps} steps were dropped` : ' to the last policy';
					this.alerts.raise('trainer-error', `an update gave non-finite numbers (${reason}) and was rolled back${dropped}`);
					this.recorder.event('update-rejected', { reason, steps });
				},
				failed: (error) => {
					this.log.error({ err: error }, 'trainer error');
					this.alerts.raise('trainer-error', error.message);
				}
			},
			this.clock,
			this.ledger
		);
		const newestWeights = () => this.training.snapshot?.weights;
		this.encodedWeights = encodedOnce(newestWeights);
		this.actors = new ActorRegistry(learner, this.clock, child('actors'), this.alerts);
		this.intake = new TransitionIntake(this.training, this.ledger);
		this.weights = new WeightsBroadcaster(this.encodedWeights, learner, this.alerts, child('weights'));
		this.remote = new RemoteInference(newestWeights, learner.controlChunk, new Rng(this.clock.now() >>> 0));
		this.telemetryGate = new TelemetryGate(learner.maxTelemetryPerSec, this.clock);
		this.evaluations = new Evaluations(this.clock);
		const books = { intake: this.intake, ledger: this.ledger, limits: config.limits, checkpointing: () => this.checkpointing() };
		this.recorder = new RunRecorder(learner, this.training, books, this.clock, child('run'), this.alerts);
		const lapFiles = new LapFiles(this.recorder.run.dir, learner.maxMetricsMb * 2 ** 20);
		this.laps = new Laps(lapFiles, learner.maxEpisodesPerSec, this.clock, child('laps'), this.alerts);
		this.runIndex = new RunIndex(learner.runsDir, this.runId);
		this.started = (this.recorder.resuming ? this.recorder.resume() : Promise.resolve()).then(() => {
			this.isStarted = true;
		});
		if (deps.timer !== false) {
			this.timer = setInterval(() => this.tick(), Math.min(learner.heartbeatIntervalMs, TICK_MS));
			this.timer.unref?.();
		}
	}

	get run() {
		return this.recorder.run;
	}

	/** A child of the learner's log for a session or route (`{ service }` on every line). */
	logger(service: string): Log {
		return this.log.child({ service });
	}

	get metrics() {
		return this.recorder.metrics;
	}

	get policyVersion(): number {
		return this.training.policyVersion;
	}

	/** Steps accepted from actors since start (stored, before any stale drop). */
	get ingested(): number {
		return this.intake.ingested;
	}

	get actorCount(): number {
		return this.actors.size + (this.bus?.fleet.connected().length ?? 0);
	}

	/** Steps a second from every connected actor (here and behind gateways). */
	private samplesPerSec(): number {
		return this.actors.samplesPerSec() + (this.bus?.fleet.connected().reduce((sum, e) => sum + e.samplesPerSec(), 0) ?? 0);
	}

	actor(actorId: string): ActorEntry | undefined {
		return this.actors.byActorId(actorId) ?? this.bus?.fleet.byActorId(actorId);
	}

	/** Connected actors: here and, with --bus, behind gateways. */
	private everyActor(): ActorEntry[] {
		return [...this.actors.all(), ...(this.bus?.fleet.connected() ?? [])];
	}

	/**
	 * Admits a handshake or throws the ProtocolError to refuse it with. A resumed run admits no one
	 * before its checkpoint is restored (the session waits for `started`): the accept's seqs must
	 * be the checkpoint's.
	 */
	admit(hello: Handshake, address: string, link: ActorLink): { entry: ActorEntry; accept: HandshakeAccept } {
		const { learner, limits } = this.config;
		const startTrainer = this.fitRun(hello);
		const entry = this.actors.admit(hello, address, link, randomUUID());
		startTrainer?.();
		const accept: HandshakeAccept = {
			type: MessageType.HANDSHAKE_ACCEPT,
			protocolVersion: PROTOCOL_VERSION,
			sessionId: entry.sessionId,
			runId: this.runId,
			policyVersion: this.policyVersion,
			heartbeatIntervalMs: learner.heartbeatIntervalMs,
			lastSeq: this.intake.lastSeqOf(hello.actorId),
			durableSeq: this.intake.durableSeqOf(hello.actorId),
			controlChunk: learner.controlChunk,
			maxFrameBytes: limits.maxFrameBytes,
			maxBatchSteps: limits.maxBatchSteps,
			telemetryHz: learner.telemetryHz
		};
		return { entry, accept };
	}

	/**
	 * Throws the SPEC_MISMATCH to refuse an actor whose specs do not fit the run; for the run's
	 * first actor, returns how to start the trainer on its specs.
	 */
	private fitRun(hello: Handshake): (() => void) | undefined {
		const { obsSpec, actionSpec } = this.training;
		if (obsSpec && actionSpec) {
			const mismatch = specMismatch(obsSpec, actionSpec, hello);
			if (mismatch) throw new ProtocolError(ErrorCode.SPEC_MISMATCH, mismatch);
			return undefined;
		}
		if (this.training.state !== 'idle') return undefined;
		const made = trainerChoiceFor(this.config.learner, hello.obsSpec, hello.actionSpec, hello.controlHz);
		if ('error' in made) throw new ProtocolError(ErrorCode.SPEC_MISMATCH, `this learner cannot train for this actor: ${made.error}`);
		return () => void this.training.start(hello.obsSpec, hello.actionSpec, made.choice, made.shape);
	}

	/** Called by the session right after it sent HANDSHAKE_ACCEPT. */
	welcome(entry: ActorEntry): void {
		if (entry.hello.mode === 'local') this.weights.send(entry);
	}

	/** The session closed (with the WebSocket close code it saw). */
	remove(sessionId: string, closeCode?: number): void {
		this.actors.remove(sessionId, closeCode);
	}

	/** Stores a batch (exactly once per seq); returns the BATCH_ACK to send (stored and durable seqs). */
	ingest(entry: ActorEntry, batch: TransitionBatch): BatchAck {
		const seq = this.intake.ingest(entry, batch);
		return { type: MessageType.BATCH_ACK, seq, durable: this.intake.durableSeqOf(entry.id) };
	}

	/**
	 * When a checkpoint takes its seqs; `saved` runs once that checkpoint is saved: every actor
	 * hears which of its batches are durable now (and may free them), and the bus messages it
	 * holds are acked. If it could not be saved, they wait for the next one.
	 */
	private checkpointing(): { saved(): Promise<void>; failed(): void } {
		const bus = this.bus?.intake.capture();
		const saved = async () => {
			for (const entry of this.actors.all()) {
				entry.link.send({ type: MessageType.BATCH_ACK, seq: this.intake.lastSeqOf(entry.id), durable: this.intake.durableSeqOf(entry.id) });
			}
			await bus?.saved();
		};
		return { saved, failed: () => bus?.failed() };
	}

	/**
	 * Joins the bus (--bus): actors behind gateways train here like connected ones, and every
	 * policy version goes to the gateways. After a resume, once the checkpoint is restored.
	 */
	async attachBus(bus: Bus): Promise<void> {
		await this.started;
		const parts = { intake: this.intake, fitRun: (hello: Handshake) => this.fitRun(hello), clock: this.clock, log: this.log };
		this.bus = new LearnerBus(bus, busRuntime(this, parts), this.config.learner);
		await this.bus.start();
		await this.publishRun();
		this.broadcast();
		this.log.info({ runId: this.runId }, 'on the bus: taking batches from gateways');
	}

	/** The run's specs for the gateways' handshake checks. */
	private async publishRun(): Promise<void> {
		const snapshot = this.training.snapshot;
		const { obsSpec, actionSpec } = this.training;
		if (!this.bus || !snapshot || !obsSpec || !actionSpec) return;
		await this.bus.weights.run({ runId: this.runId, algo: snapshot.algo, obsSpec, actionSpec }).catch((error: unknown) => {
			this.log.warn({ err: (error as Error).message }, 'could not publish the run on the bus');
		});
	}

	episode(entry: ActorEntry, summary: EpisodeSummary): void {
		entry.rates.episodes.take(this.clock.now(), this.config.learner.maxEpisodesPerSec, 'episode summaries');
		entry.episode(summary);
		if (summary.evalId !== undefined) this.evaluations.episode(entry, summary);
		this.recorder.episode(entry, summary);
	}

	/**
	 * Deterministic evaluation episodes from every connected local-mode actor, or from those of
	 * `actorIds` (the others keep exploring). An off-policy trainer (SAC) also gets their
	 * transitions; an on-policy one (PPO) must not.
	 */
	evaluate(episodes: number, actorIds?: readonly string[]): EvaluationInfo {
		const record = (this.training.snapshot?.algo ?? this.config.learner.algo) === 'sac';
		const actors = actorIds ? this.everyActor().filter((entry) => actorIds.includes(entry.id)) : this.everyActor();
		const info = this.evaluations.request(actors, episodes, record, this.policyVersion);
		this.recorder.event('evaluation-requested', { evalId: info.evalId, episodes, actors: info.actors.length, skipped: info.skipped.length });
		return info;
	}

	evaluationList(): EvaluationInfo[] {
		return this.evaluations.list();
	}

	/** TRACK from an actor (throws the ProtocolError to refuse it with). */
	track(entry: ActorEntry, message: TrackDescription): void {
		this.laps.track(entry, message);
	}

	/** LAP from an actor (throws RATE_LIMITED past maxEpisodesPerSec laps a second). */
	lap(entry: ActorEntry, message: LapReport): void {
		this.laps.lap(entry, message);
	}

	/** Bumped when lapsView() / tracks() change. */
	get lapsRevision(): { laps: number; tracks: number } {
		return { laps: this.laps.revision, tracks: this.laps.tracksRevision };
	}

	lapsView(): LapsView {
		return this.laps.view();
	}

	lapsOf(actorId: string): LapEntry[] {
		return this.laps.ofActor(actorId);
	}

	lapReplay(id: number): LapReplay | undefined {
		return this.laps.replay(id);
	}

	tracks(): TrackView[] {
		return this.laps.trackViews();
	}

	/** Every run in the runs directory, newest first (these four throw RunIndexError for a bad or unknown id). */
	runs(): RunSummary[] {
		return this.runIndex.list();
	}

	runConfig(id: string): unknown {
		return this.runIndex.config(id);
	}

	runSeries(id: string, keys: string[]): Promise<RunSeries> {
		return this.runIndex.series(id, keys);
	}

	runCheckpointFile(id: string, checkpoint: string): string {
		return this.runIndex.checkpointFile(id, checkpoint);
	}

	weightsAck(entry: ActorEntry, ack: WeightsAck): void {
		this.weights.ack(entry, ack);
	}

	/** PING from an actor: its health figures (throws RATE_LIMITED past maxPingsPerSec, or twice the heartbeat rate if higher). */
	heartbeat(entry: ActorEntry, ping: Ping): void {
		this.actors.heartbeat(entry, ping);
	}

	pong(entry: ActorEntry, t: number): void {
		this.actors.pong(entry, t);
	}

	telemetry(entry: ActorEntry, message: Telemetry | TelemetryBatch): void {
		this.telemetryGate.receive(entry, message);
		if (message.type === MessageType.TELEMETRY && message.requestId > 0 && entry.hello.mode === 'remote') this.remote.answer(entry, message);
	}

	/** Sends the newest weights to every local-mode actor (coalesced for slow sockets). */
	broadcast(): number {
		this.recorder.handingOut(this.policyVersion);
		this.bus?.weights.publish(this.encodedWeights());
		return this.weights.broadcast(this.actors.all());
	}

	/** One beat of every service's housekeeping (the timer calls it every TICK_MS). */
	tick(): void {
		const maxLag = this.training.snapshot?.maxPolicyLag ?? Infinity;
		this.weights.tick(this.actors.all(), this.policyVersion, maxLag);
		this.actors.tick();
		this.bus?.fleet.tick();
		const compute = this.training.snapshot?.compute;
		if (compute) this.load.observe(compute.busyMs, this.clock.now());
		const since = this.training.lastUpdateAt ?? this.startedAt;
		const waited = this.clock.now() - since;
		if (this.samplesPerSec() > 0 && !this.training.paused && this.training.state === 'waiting' && waited > this.config.learner.stallAlertMs) {
			this.alerts.raise('learner-stalled', `no update for ${Math.round(waited / 1000)} s while actors send`);
		}
		this.recorder.tick();
		this.refusals.flush();
	}

	/** Saves a checkpoint now; rejects with the reason when it cannot be written. */
	checkpoint(reason: string): Promise<string> {
		return this.recorder.checkpoint(reason);
	}

	/** Live edits of the run's editable settings (status().hyperparams names them). */
	async setHyperparams(changes: Record<string, number>): Promise<void> {
		const values = await this.training.setHyperparams(changes);
		this.recorder.event('hyperparams', { ...changes, ...values });
	}

	pause(): void {
		this.training.pause();
		this.recorder.event('pause');
	}

	resume(): void {
		this.training.resume();
		this.recorder.event('resume');
	}

	disconnect(actorId: string): boolean {
		if (this.actors.disconnect(actorId)) return true;
		const onBus = this.bus?.fleet.byActorId(actorId);
		onBus?.link.close(CloseCode.KICKED, 'disconnected from the console');
		return onBus !== undefined;
	}

	status(): LearnerStatus {
		const snapshot = this.training.snapshot;
		return {
			runId: this.runId,
			algo: snapshot?.algo ?? this.config.learner.algo,
			state: this.training.state,
			backend: snapshot?.backend ?? '',
			policyVersion: this.policyVersion,
			updates: snapshot?.counters.updates ?? 0,
			samples: snapshot?.counters.samples ?? 0,
			samplesPerSec: this.samplesPerSec(),
			uptimeS: (this.clock.now() - this.startedAt) / 1000,
			actors: this.actorCount,
			buffer: this.training.bufferStatus(),
			transitions: this.ledger.totals(),
			lastUpdateAt: this.training.lastUpdateAt,
			hyperparams: snapshot?.hyperparams ?? {},
			...(snapshot?.replay ? { replay: snapshot.replay } : {}),
			...(snapshot ? { trainer: this.trainerLoad(snapshot.compute) } : {}),
			evaluations: this.evaluations.list(),
			refusals: this.refusals.totals(),
			...(this.bus && this.config.bus ? { bus: this.bus.status(this.config.bus.servers) } : {})
		};
	}

	private trainerLoad({ busyMs: _, ...threads }: TrainerCompute): TrainerLoadStatus {
		return { ...threads, busy: this.load.busy(this.clock.now()) };
	}

	actorInfos(): ActorInfo[] {
		const counts = (id: string) => this.ledger.counts(id);
		return [...this.actors.infos(this.policyVersion, counts), ...(this.bus?.fleet.infos(this.policyVersion, counts) ?? [])];
	}

	/** Stops accepting actors and batches, saves a checkpoint, stops the trainer. Sockets are closed by the server. */
	async shutdown(): Promise<void> {
		this.actors.close();
		await this.bus?.stopIntake(); // nothing is taken from the stream that the last checkpoint does not hold
		this.intake.close();
		clearInterval(this.timer);
		this.log.info({ runId: this.runId }, 'shutting down');
		try {
			if (this.training.snapshot) await this.checkpoint('shutdown');
		} finally {
			await this.training.close();
			await this.bus?.close();
		}
	}
}

export { getRuntime, resetRuntime } from './slot.ts';
