/** Connected actors as the runtime sees them: the link to send on, and their figures. */
import type { ActorInfo, ActorStats, CarPosition, EpisodeSummary, Handshake, Message, TelemetryFrame, TransitionCounts } from '../../protocol/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { NoLimit, PerSecond } from './rate.ts';

/** What a session gives the runtime to reach its actor. */
export interface ActorLink {
	send(message: Message): void;
	/** A pre-encoded frame (weights are encoded once for everybody). */
	sendFrame(frame: Uint8Array): void;
	readonly bufferedAmount: number;
	close(code: number, reason: string): void;
}

/** Telemetry frames kept per actor for the live view. */
export const TELEMETRY_HISTORY = 1200;
const RATE_WINDOW_MS = 5000;

export class ActorEntry {
	readonly connectedAt: number;
	lastSeenAt: number;
	state: 'connected' | 'lost' = 'connected';
	ackedVersion = 0;
	sentVersion = 0;
	weightsPending = false;
	rttMs: number | null = null;
	health: ActorStats | null = null;
	/** Steps received on this session. */
	samples = 0;
	episodes = 0;
	lastReturn: number | null = null;
	bestLapMs: number | null = null;
	/** The track of this session's TRACK. */
	track: string | null = null;
	/** TRACK messages on this session (a few are allowed: see Laps.track). */
	tracksSent = 0;
	bytesIn = 0;
	bytesOut = 0;
	readonly telemetry: TelemetryFrame[] = [];
	/** What this actor may repeat, counted per wall-clock second (rate limits; none for an actor on the bus, its gateway limits it). */
	readonly rates: Record<'messages' | 'pings' | 'telemetry' | 'episodes' | 'laps', PerSecond>;
	private readonly sampleTimes: { at: number; n: number }[] = [];

	constructor(
		readonly sessionId: string,
		readonly hello: Handshake,
		readonly address: string,
		readonly link: ActorLink,
		private readonly clock: Clock = systemClock,
		/** Frames per second this actor may send (any type); beyond it the session is refused. */
		private readonly maxMessagesPerSec = Infinity,
		limited = true
	) {
		this.connectedAt = this.lastSeenAt = clock.now();
		const rate = () => (limited ? new PerSecond() : new NoLimit());
		this.rates = { messages: rate(), pings: rate(), telemetry: rate(), episodes: rate(), laps: rate() };
	}

	get id(): string {
		return this.hello.actorId;
	}

	/** A frame came in: liveness, bytes, and the message rate limit (throws RATE_LIMITED). */
	seen(bytes: number): void {
		this.lastSeenAt = this.clock.now();
		this.bytesIn += bytes;
		this.rates.messages.take(this.lastSeenAt, this.maxMessagesPerSec, 'messages');
	}

	countSamples(n: number): void {
		this.samples += n;
		const now = this.clock.now();
		this.sampleTimes.push({ at: now, n });
		this.forgetBefore(now - RATE_WINDOW_MS);
	}

	samplesPerSec(): number {
		this.forgetBefore(this.clock.now() - RATE_WINDOW_MS);
		const total = this.sampleTimes.reduce((s, e) => s + e.n, 0);
		return total / (RATE_WINDOW_MS / 1000);
	}

	private forgetBefore(t: number): void {
		while (this.sampleTimes.length && this.sampleTimes[0].at < t) this.sampleTimes.shift();
	}

	/** An EPISODE_SUMMARY: its return (training episodes only) and laps. */
	episode(summary: EpisodeSummary): void {
		this.episodes++;
		if (summary.evalId === undefined) this.lastReturn = summary.return;
		for (const lap of summary.lapTimesMs) if (this.bestLapMs === null || lap < this.bestLapMs) this.bestLapMs = lap;
	}

	keepTelemetry(frames: TelemetryFrame[]): void {
		this.telemetry.push(...frames);
		if (this.telemetry.length > TELEMETRY_HISTORY) this.telemetry.splice(0, this.telemetry.length - TELEMETRY_HISTORY);
	}

	/** As the console shows it; `transitions` are the actor id's books over the run (the ledger's). */
	info(policyVersion: number, transitions: TransitionCounts): ActorInfo {
		return {
			id: this.id,
			sessionId: this.sessionId,
			name: this.hello.actorName,
			address: this.address,
			mode: this.hello.mode,
			source: this.hello.source,
			state: this.state,
			ackedVersion: this.ackedVersion,
			sentVersion: this.sentVersion,
			weightsPending: this.weightsPending,
			lag: Math.max(0, policyVersion - this.ackedVersion),
			rttMs: this.rttMs,
			health: this.health,
			samples: this.samples,
			samplesPerSec: this.samplesPerSec(),
			transitions,
			episodes: this.episodes,
			lastReturn: this.lastReturn,
			bestLapMs: this.bestLapMs,
			track: this.track,
			position: positionOf(this.telemetry.at(-1)),
			lastSeenAt: this.lastSeenAt,
			connectedAt: this.connectedAt,
			bytesIn: this.bytesIn,
			bytesOut: this.bytesOut
		};
	}
}

function positionOf(frame: TelemetryFrame | undefined): CarPosition | null {
	if (!frame) return null;
	const { x, z, speedKmh, tyresOut, lapPosition, lapTimeMs } = frame;
	return { x, z, speedKmh, tyresOut, lapPosition, lapTimeMs };
}
