/**
 * The values pitwall keeps in the bus's KV bucket (keys in ./names.ts), encoded and checked here
 * only. Gateways and the learner trust each other's records no more than an actor's frames: a
 * record that does not decode is treated as absent, and an actor's HANDSHAKE inside one goes
 * through the protocol decoder again.
 */
import { pack, unpack } from 'msgpackr';
import { Decoder, MessageType, encodeMessage, type ActorInfo, type Handshake, type VectorSpec } from '../protocol/index.ts';

/** `<run>.run`: what a gateway checks an actor's handshake against (written by the learner once its trainer is ready). */
export interface RunRecord {
	runId: string;
	algo: string;
	obsSpec: VectorSpec;
	actionSpec: VectorSpec;
}

/** `<run>.weights`: the newest policy version; its WEIGHTS_UPDATE frame is the object `<run>`. */
export interface WeightsRecord {
	policyVersion: number;
	bytes: number;
}

/** What the actor's gateway knows of it (the learner adds what it sees itself: samples, episodes, laps). */
export type GatewayFigures = Pick<
	ActorInfo,
	| 'sessionId'
	| 'address'
	| 'state'
	| 'ackedVersion'
	| 'sentVersion'
	| 'weightsPending'
	| 'rttMs'
	| 'health'
	| 'lastSeenAt'
	| 'connectedAt'
	| 'bytesIn'
	| 'bytesOut'
>;

/** `<run>.actor.<actor>`: a connected actor, written by its gateway on admission and every few seconds. */
export interface ActorRecord {
	hello: Handshake;
	gateway: string;
	figures: GatewayFigures;
}

const decoder = new Decoder();

const spec = (s: VectorSpec) => ({ dim: s.dim, names: s.names, low: [...s.low], high: [...s.high] });

function specOf(x: unknown): VectorSpec | undefined {
	const s = x as { dim?: unknown; names?: unknown; low?: unknown; high?: unknown };
	if (!s || !Number.isInteger(s.dim) || !Array.isArray(s.names) || !Array.isArray(s.low) || !Array.isArray(s.high)) return undefined;
	const dim = s.dim as number;
	if (s.names.length !== dim || s.low.length !== dim || s.high.length !== dim) return undefined;
	if (!s.names.every((n) => typeof n === 'string') || ![...s.low, ...s.high].every((v) => typeof v === 'number')) return undefined;
	return { dim, names: s.names as string[], low: Float32Array.from(s.low as number[]), high: Float32Array.from(s.high as number[]) };
}

export const runRecord = {
	encode: (r: RunRecord): Uint8Array => pack({ ...r, obsSpec: spec(r.obsSpec), actionSpec: spec(r.actionSpec) }),
	decode(bytes: Uint8Array): RunRecord | undefined {
		const r = safeUnpack(bytes) as Partial<Record<keyof RunRecord, unknown>> | undefined;
		const obsSpec = specOf(r?.obsSpec);
		const actionSpec = specOf(r?.actionSpec);
		if (!r || typeof r.runId !== 'string' || typeof r.algo !== 'string' || !obsSpec || !actionSpec) return undefined;
		return { runId: r.runId, algo: r.algo, obsSpec, actionSpec };
	}
};

export const weightsRecord = {
	encode: (r: WeightsRecord): Uint8Array => pack(r),
	decode(bytes: Uint8Array): WeightsRecord | undefined {
		const r = safeUnpack(bytes) as Partial<WeightsRecord> | undefined;
		if (!r || !Number.isSafeInteger(r.policyVersion) || !Number.isSafeInteger(r.bytes)) return undefined;
		return { policyVersion: r.policyVersion!, bytes: r.bytes! };
	}
};

export const actorRecord = {
	encode: (r: ActorRecord): Uint8Array => pack({ hello: helloRecord.encode(r.hello), gateway: r.gateway, figures: r.figures }),
	decode(bytes: Uint8Array): ActorRecord | undefined {
		const r = safeUnpack(bytes) as { hello?: unknown; gateway?: unknown; figures?: unknown } | undefined;
		if (!r || !(r.hello instanceof Uint8Array) || typeof r.gateway !== 'string' || typeof r.figures !== 'object' || r.figures === null) return undefined;
		const hello = helloRecord.decode(r.hello);
		return hello && { hello, gateway: r.gateway, figures: r.figures as GatewayFigures };
	}
};

/** `<run>.hello.<actor>`: the actor's HANDSHAKE frame without its token. */
export const helloRecord = {
	encode: (hello: Handshake): Uint8Array => encodeMessage({ ...hello, token: '' }),
	decode(bytes: Uint8Array): Handshake | undefined {
		try {
			const hello = decoder.decode(bytes);
			return hello.type === MessageType.HANDSHAKE ? hello : undefined;
		} catch {
			return undefined;
		}
	}
};

export const durableRecord = {
	encode: (seq: number): Uint8Array => new TextEncoder().encode(String(seq)),
	decode(bytes: Uint8Array): number | undefined {
		const text = new TextDecoder().decode(bytes);
		const seq = Number(text);
		return /^-?\d{1,16}$/.test(text) && Number.isSafeInteger(seq) && seq >= -1 ? seq : undefined;
	}
};

function safeUnpack(bytes: Uint8Array): unknown {
	try {
		return unpack(bytes);
	} catch {
		return undefined;
	}
}
