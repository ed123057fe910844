/**
 * The one owner of mutable process state (architecture rule 2): actors, rollout store (via the
 * training loop), trainer, versions, run directory, metrics, alerts. It lives in a globalThis slot
 * so the upgrade router (server.ts or vite.config.ts) and the +server.ts routes (SvelteKit's own
 * module graph) share it.
 */
import { randomUUID } from 'node:crypto';
import {
	CloseCode,
	ErrorCode,
	MessageType,
	PROTOCOL_VERSION,
	ProtocolError,
	encodeMessage,
	type ActorInfo,
	type EpisodeSummary,
	type Handshake,
	type HandshakeAccept,
	type LearnerStatus,
	type Ping,
	type Telemetry,
	type TelemetryBatch,
	type TelemetryFrame,
	type TransitionBatch,
	type VectorSpec,
	type WeightsAck
} from '../../protocol/index.ts';
import type { PolicyForward } from '../../ppo/forward.ts';
import { Rng } from '../../ppo/random.ts';
import { policyFromWeights } from '../../ppo/weights.ts';
import { parseServerConfig, type ServerConfig } from '../config.ts';
import { RunDir, LATEST } from '../run/run-dir.ts';
import { ActorEntry, type ActorLink } from './actors.ts';
import { Alerts } from './alerts.ts';
import { MetricsLog } from './metrics.ts';
import { TrainingLoop } from './training.ts';
import { specMismatch } from './specs.ts';

export { ActorEntry, type ActorLink } from './actors.ts';

interface SavedMeta extends Record<string, unknown> {
	runId: string;
	lastSeq: Record<string, number>;
	bestReturn: number | null;
	obsSpec?: SpecJson;
	actionSpec?: SpecJson;
}
// JSON has no ±Infinity (observation bounds often are): bounds travel as strings.
type SpecJson = { dim: number; names: string[]; low: string[]; high: string[] };
const specToJson = (s: VectorSpec): SpecJson => ({ dim: s.dim, names: s.names, low: [...s.low].map(String), high: [...s.high].map(String) });
const specFromJson = (s: SpecJson): VectorSpec => ({ dim: s.dim, names: s.names, low: Float32Array.from(s.low, Number), high: Float32Array.from(s.high, Number) });

export class Runtime {
	readonly config: ServerConfig;
	readonly runId: string;
	readonly startedAt = Date.now();
	readonly run: RunDir;
	readonly metrics: MetricsLog;
	readonly alerts = new Alerts();
	readonly training: TrainingLoop;
	private readonly actors = new Map<string, ActorEntry>();
	private readonly lastSeq = new Map<string, number>();
	private bestReturn: number | null = null;
	/** Steps accepted from actors since start (stored, before any stale drop). */
	ingested = 0;
	private weightsFrame: { version: number; frame: Uint8Array } | undefined;
	private remotePolicy: { version: number; policy: PolicyForward } | undefined;
	private readonly remoteRng = new Rng(Date.now() >>> 0);
	private lastCheckpointAt = Date.now();
	private timer: ReturnType<typeof setInterval> | undefined;
	private pingSeq = 0;
	private lastPingAt = 0;
	private accepting = true;
	/** Resolves when a resumed trainer is ready (or at once for a new run). */
	readonly started: Promise<void>;

	constructor(config: ServerConfig) {
		this.config = config;
		const { learner } = config;
		this.runId = learner.runId;
		const resuming = RunDir.hasCheckpoint(learner.runsDir, this.runId);
		this.run = new RunDir(learner.runsDir, this.runId);
		this.metrics = new MetricsLog(this.run);
		this.training = new TrainingLoop(learner.ppo, learner.backends, {
			ready: (snapshot) => {
				this.run.writeConfig({ runId: this.runId, ppo: snapshot.config, obsSpec: this.training.obsSpec && specToJson(this.training.obsSpec), actionSpec: this.training.actionSpec && specToJson(this.training.actionSpec), learner: { ...learner, ppo: undefined } });
				this.broadcast();
			},
			updated: (result, snapshot) => {
				this.broadcast(); // first: actors wait for it; the bookkeeping can follow
				const { policyVersion: _v, samples: _s, ...scalars } = result;
				this.metrics.add({ kind: 'update', step: snapshot.counters.samples, update: snapshot.counters.updates, time: Date.now(), policyVersion: snapshot.counters.policyVersion, ...scalars });
				if (snapshot.counters.updates % learner.checkpointEveryUpdates === 0) void this.checkpoint('periodic');
			},
			failed: (error) => this.alerts.raise('trainer-error', error.message)
		});
		this.started = resuming ? this.resumeRun() : Promise.resolve();
		this.timer = setInterval(() => this.tick(), Math.min(learner.heartbeatIntervalMs, 250));
		this.timer.unref?.();
	}

	/** The worker parses the checkpoint once; the runtime takes its own part (seqs, best, specs) from the meta. */
	private async resumeRun(): Promise<void> {
		await this.training.restore(this.run.read(LATEST)!, (saved) => {
			const meta = saved as Partial<SavedMeta>;
			for (const [actor, seq] of Object.entries(meta.lastSeq ?? {})) this.lastSeq.set(actor, seq);
			this.bestReturn = meta.bestReturn ?? null;
			return [meta.obsSpec && specFromJson(meta.obsSpec), meta.actionSpec && specFromJson(meta.actionSpec)];
		});
		const counters = this.training.snapshot?.counters;
		this.metrics.add({ kind: 'event', step: counters?.samples ?? 0, time: Date.now(), event: 'resumed', detail: { updates: counters?.updates ?? 0 } });
	}

	get policyVersion(): number {
		return this.training.policyVersion;
	}

	get actorCount(): number {
		return this.actors.size;
	}

	actor(actorId: string): ActorEntry | undefined {
		for (const entry of this.actors.values()) if (entry.id === actorId) return entry;
		return undefined;
	}

	/** Admits a handshake or throws the ProtocolError to refuse it with. */
	admit(hello: Handshake, address: string, link: ActorLink): { entry: ActorEntry; accept: HandshakeAccept } {
		const { learner } = this.config;
		if (!this.accepting) throw new ProtocolError(ErrorCode.INTERNAL, 'learner is shutting down');
		if (this.actors.size >= learner.maxActors) throw new ProtocolError(ErrorCode.TOO_MANY_ACTORS, `learner has its maximum of ${learner.maxActors} actors`);
		if (this.actor(hello.actorId)) throw new ProtocolError(ErrorCode.INVALID_FIELD, `actor id ${hello.actorId} is already connected`);
		const { obsSpec, actionSpec } = this.training;
		if (obsSpec && actionSpec) {
			const mismatch = specMismatch(obsSpec, actionSpec, hello);
			if (mismatch) throw new ProtocolError(ErrorCode.SPEC_MISMATCH, mismatch);
		} else if (this.training.state === 'idle') {
			void this.training.start(hello.obsSpec, hello.actionSpec);
		}
		const entry = new ActorEntry(randomUUID(), hello, address, link);
		this.actors.set(entry.sessionId, entry);
		const accept: HandshakeAccept = {
			type: MessageType.HANDSHAKE_ACCEPT,
			protocolVersion: PROTOCOL_VERSION,
			sessionId: entry.sessionId,
			runId: this.runId,
			policyVersion: this.policyVersion,
			heartbeatIntervalMs: learner.heartbeatIntervalMs,
			lastSeq: this.lastSeq.get(hello.actorId) ?? -1,
			controlChunk: learner.controlChunk,
			maxFrameBytes: this.config.limits.maxFrameBytes,
			maxBatchSteps: this.config.limits.maxBatchSteps,
			telemetryHz: learner.telemetryHz
		};
		return { entry, accept };
	}

	/** Called by the session right after it sent HANDSHAKE_ACCEPT. */
	welcome(entry: ActorEntry): void {
		if (entry.hello.mode === 'local') this.sendWeights(entry);
	}

	remove(sessionId: string): void {
		this.actors.delete(sessionId);
	}

	/**
	 * Stores a batch unless its seq was already stored (a resend after reconnect); returns the
	 * highest stored seq. A gap in seq means the actor dropped batches beyond its buffer bound while
	 * disconnected: they are counted as lost, the rest is taken.
	 */
	ingest(entry: ActorEntry, batch: TransitionBatch): number {
		const last = this.lastSeq.get(entry.id) ?? -1;
		// Shutting down: nothing more is taken (or acked), so the checkpoint's seqs are the truth and
		// the actor resends the rest to the next learner.
		if (!this.accepting) return last;
		if (batch.seq > last + 1) entry.lostBatches += batch.seq - last - 1;
		if (batch.obsDim !== entry.hello.obsSpec.dim || batch.actionDim !== entry.hello.actionSpec.dim) {
			throw new ProtocolError(ErrorCode.SPEC_MISMATCH, `batch dims ${batch.obsDim}/${batch.actionDim} differ from the handshake's`);
		}
		if (batch.seq <= last) return last;
		this.lastSeq.set(entry.id, batch.seq);
		entry.countSamples(batch.n);
		this.ingested += batch.n;
		const store = this.training.store;
		if (store) {
			const stale = store.ingest(entry.id, batch, this.policyVersion);
			entry.droppedStale += stale;
			this.training.maybeUpdate();
		}
		return batch.seq;
	}

	episode(entry: ActorEntry, summary: EpisodeSummary): void {
		entry.episodes++;
		entry.lastReturn = summary.return;
		for (const lap of summary.lapTimesMs) if (entry.bestLapMs === null || lap < entry.bestLapMs) entry.bestLapMs = lap;
		this.metrics.add({
			kind: 'episode',
			step: this.training.snapshot?.counters.samples ?? 0,
			time: Date.now(),
			actorId: entry.id,
			return: summary.return,
			length: summary.length,
			lapTimesMs: summary.lapTimesMs,
			cleanLaps: summary.cleanLaps,
			policyVersion: summary.policyVersion
		});
	}

	weightsAck(entry: ActorEntry, ack: WeightsAck): void {
		if (ack.error) {
			this.alerts.raise('trainer-error', `actor ${entry.hello.actorName} refused weights v${ack.policyVersion}: ${ack.error}`, entry.id);
			return;
		}
		entry.ackedVersion = Math.max(entry.ackedVersion, ack.policyVersion);
	}

	heartbeat(entry: ActorEntry, ping: Ping): void {
		if (ping.stats) entry.health = ping.stats;
	}

	pong(entry: ActorEntry, t: number): void {
		entry.rttMs = Date.now() - t;
	}

	telemetry(entry: ActorEntry, message: Telemetry | TelemetryBatch): void {
		const second = Math.floor(Date.now() / 1000);
		if (entry.telemetrySecond !== second) {
			entry.telemetrySecond = second;
			entry.telemetryThisSecond = 0;
		}
		const frames: TelemetryFrame[] = message.type === MessageType.TELEMETRY ? [message.frame] : columnsToFrames(message);
		entry.telemetryThisSecond += frames.length;
		if (entry.telemetryThisSecond > this.config.learner.maxTelemetryPerSec) {
			throw new ProtocolError(ErrorCode.RATE_LIMITED, `more than ${this.config.learner.maxTelemetryPerSec} telemetry frames per second`);
		}
		entry.keepTelemetry(frames);
		if (message.type === MessageType.TELEMETRY && message.requestId > 0 && entry.hello.mode === 'remote') this.remoteControl(entry, message);
	}

	/** The seed's chunked control: k actions from the current policy, one round trip per chunk. */
	private remoteControl(entry: ActorEntry, message: Telemetry): void {
		const weights = this.training.snapshot?.weights;
		if (!weights || !message.obs) return; // no policy yet: the agent's dead-man keeps the car neutral
		if (message.obs.length !== entry.hello.obsSpec.dim) throw new ProtocolError(ErrorCode.INVALID_FIELD, `obs has ${message.obs.length} values, spec ${entry.hello.obsSpec.dim}`);
		if (this.remotePolicy?.version !== weights.manifest.policyVersion) {
			this.remotePolicy = { version: weights.manifest.policyVersion, policy: policyFromWeights(weights) };
		}
		const { policy, version } = this.remotePolicy;
		const k = this.config.learner.controlChunk;
		const actionDim = entry.hello.actionSpec.dim;
		const actions = new Float32Array(k * actionDim);
		const logProb = new Float32Array(k);
		const value = new Float32Array(k);
		for (let i = 0; i < k; i++) {
			const step = policy.act(message.obs, this.remoteRng);
			actions.set(step.action, i * actionDim);
			logProb[i] = step.logProb;
			value[i] = step.value;
		}
		entry.link.send({ type: MessageType.CONTROL_BATCH, requestId: message.requestId, policyVersion: version, k, actionDim, actions, logProb, value });
		entry.sentVersion = version;
	}

	/** Sends the newest weights to every local-mode actor (coalesced for slow sockets). */
	broadcast(): number {
		let sent = 0;
		for (const entry of this.actors.values()) if (entry.hello.mode === 'local' && this.sendWeights(entry)) sent++;
		return sent;
	}

	private sendWeights(entry: ActorEntry): boolean {
		const weights = this.training.snapshot?.weights;
		if (!weights) return false;
		const version = weights.manifest.policyVersion;
		if (this.weightsFrame?.version !== version) this.weightsFrame = { version, frame: encodeMessage(weights) };
		if (entry.link.bufferedAmount > this.config.learner.weightsMaxBufferedBytes) {
			entry.weightsPending = true; // retried by tick() with whatever is newest then
			return false;
		}
		entry.link.sendFrame(this.weightsFrame.frame);
		entry.bytesOut += this.weightsFrame.frame.length;
		entry.sentVersion = version;
		entry.weightsPending = false;
		return true;
	}

	private tick(): void {
		const now = Date.now();
		const { learner } = this.config;
		const maxLag = this.training.snapshot?.config.maxPolicyLag ?? Infinity;
		for (const entry of this.actors.values()) {
			if (entry.weightsPending) this.sendWeights(entry);
			if (entry.hello.mode === 'local' && entry.sentVersion > 0 && this.policyVersion - entry.ackedVersion > maxLag) {
				this.alerts.raise('policy-lag', `actor ${entry.hello.actorName} runs policy v${entry.ackedVersion}, ${this.policyVersion - entry.ackedVersion} versions behind: its samples are dropped as stale`, entry.id);
			}
			if (now - entry.lastSeenAt > learner.actorTimeoutMs && entry.state === 'connected') {
				entry.state = 'lost';
				this.alerts.raise('actor-lost', `actor ${entry.hello.actorName} silent for ${Math.round((now - entry.lastSeenAt) / 1000)} s`, entry.id);
				entry.link.close(CloseCode.HEARTBEAT_TIMEOUT, 'heartbeat timeout');
			}
		}
		if (now - this.lastPingAt >= learner.heartbeatIntervalMs) {
			this.lastPingAt = now;
			const ping = { type: MessageType.PING, seq: this.pingSeq++, t: now } as const;
			for (const entry of this.actors.values()) entry.link.send(ping);
		}
		const sending = [...this.actors.values()].some((e) => e.samplesPerSec() > 0);
		const since = this.training.lastUpdateAt ?? this.startedAt;
		if (sending && !this.training.paused && this.training.state === 'waiting' && now - since > learner.stallAlertMs) {
			this.alerts.raise('learner-stalled', `no update for ${Math.round((now - since) / 1000)} s while actors send`);
		}
		if (this.training.snapshot && now - this.lastCheckpointAt > learner.checkpointEverySec * 1000) void this.checkpoint('periodic');
	}

	/** Saves a checkpoint (latest, numbered, best when the recent return is the best yet). */
	async checkpoint(reason: string): Promise<string> {
		this.lastCheckpointAt = Date.now();
		const recent = this.metrics.recentReturn();
		const isBest = Number.isFinite(recent) && (this.bestReturn === null || recent > this.bestReturn);
		if (isBest) this.bestReturn = recent;
		const meta: SavedMeta = {
			runId: this.runId,
			lastSeq: Object.fromEntries(this.lastSeq),
			bestReturn: this.bestReturn,
			obsSpec: this.training.obsSpec && specToJson(this.training.obsSpec),
			actionSpec: this.training.actionSpec && specToJson(this.training.actionSpec)
		};
		const bytes = await this.training.save(meta);
		const counters = this.training.snapshot?.counters;
		const info = this.run.saveCheckpoint(bytes, counters?.updates ?? 0, this.config.learner.keepCheckpoints, isBest);
		this.metrics.add({ kind: 'event', step: counters?.samples ?? 0, time: Date.now(), event: 'checkpoint', detail: { id: info.id, reason, best: isBest } });
		return info.id;
	}

	async setHyperparams(changes: { learningRate?: number; entCoef?: number }): Promise<void> {
		const config = await this.training.setHyperparams(changes);
		this.metrics.add({ kind: 'event', step: this.training.snapshot?.counters.samples ?? 0, time: Date.now(), event: 'hyperparams', detail: { ...changes, learningRate: config.learningRate, entCoef: config.entCoef } });
	}

	pause(): void {
		this.training.pause();
		this.metrics.add({ kind: 'event', step: this.training.snapshot?.counters.samples ?? 0, time: Date.now(), event: 'pause', detail: {} });
	}

	resume(): void {
		this.training.resume();
		this.metrics.add({ kind: 'event', step: this.training.snapshot?.counters.samples ?? 0, time: Date.now(), event: 'resume', detail: {} });
	}

	disconnect(actorId: string): boolean {
		const entry = this.actor(actorId);
		if (!entry) return false;
		entry.link.close(CloseCode.KICKED, 'disconnected from the console');
		this.actors.delete(entry.sessionId);
		return true;
	}

	status(): LearnerStatus {
		const snapshot = this.training.snapshot;
		const store = this.training.store;
		let droppedStale = 0;
		let droppedOverflow = 0;
		for (const d of store?.drops.values() ?? []) {
			droppedStale += d.stale;
			droppedOverflow += d.overflow;
		}
		return {
			runId: this.runId,
			state: this.training.state,
			backend: snapshot?.backend ?? '',
			policyVersion: this.policyVersion,
			updates: snapshot?.counters.updates ?? 0,
			samples: snapshot?.counters.samples ?? 0,
			samplesPerSec: [...this.actors.values()].reduce((s, e) => s + e.samplesPerSec(), 0),
			uptimeS: (Date.now() - this.startedAt) / 1000,
			actors: this.actors.size,
			buffer: {
				fresh: store?.fresh(this.policyVersion) ?? 0,
				needed: snapshot?.config.nSteps ?? 0,
				droppedStale,
				droppedOverflow,
				lag: store?.lagHistogram(this.policyVersion) ?? {}
			},
			lastUpdateAt: this.training.lastUpdateAt,
			hyperparams: { learningRate: snapshot?.config.learningRate ?? 0, entCoef: snapshot?.config.entCoef ?? 0 }
		};
	}

	actorInfos(): ActorInfo[] {
		return [...this.actors.values()].map((e) => e.info(this.policyVersion));
	}

	/** Stops accepting actors, saves a checkpoint, stops the trainer. Sockets are closed by the server. */
	async shutdown(): Promise<void> {
		this.accepting = false;
		clearInterval(this.timer);
		try {
			if (this.training.snapshot) await this.checkpoint('shutdown');
		} finally {
			await this.training.close();
		}
	}
}

function columnsToFrames(batch: TelemetryBatch): TelemetryFrame[] {
	const frames: TelemetryFrame[] = [];
	for (let i = 0; i < batch.n; i++) {
		const frame = {} as TelemetryFrame;
		for (const [key, column] of Object.entries(batch.columns)) frame[key as keyof TelemetryFrame] = column[i];
		frames.push(frame);
	}
	return frames;
}

const SLOT = Symbol.for('pitwall.runtime');
type Slot = { [SLOT]?: Runtime };

/** The process's runtime, created on first call (from argv/env unless a config is given). */
export function getRuntime(config?: ServerConfig): Runtime {
	const slot = globalThis as Slot;
	slot[SLOT] ??= new Runtime(config ?? parseServerConfig(process.argv.slice(2), process.env));
	return slot[SLOT];
}

/** Forgets the runtime (tests that start several servers in one process). */
export function resetRuntime(): void {
	delete (globalThis as Slot)[SLOT];
}
