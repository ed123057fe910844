/**
 * What a learner checkpoint holds beside the trainer, so that a resumed run continues exactly:
 *
 *   state.json's meta (SavedMeta)   each actor's last seq, the transition books, the env steps,
 *                                   the last metrics step, the best return, the run's specs
 *   run/held.bin                    the rollout store's held steps (stored, not yet trained on)
 *
 * Both are read on the main thread straight from the zip (no trainer needed). In held.bin each
 * held batch is the TRANSITION_BATCH frame it would travel as (RAW columns, docs/protocol.md),
 * prefixed by its actor id:  u16 id length · id (UTF-8) · u32 frame length · frame — repeated.
 */
import { strFromU8, unzipSync } from 'fflate';
import { Decoder, encodeMessage, MessageType, type Limits, type VectorSpec } from '../../protocol/index.ts';
import type { StepBlock } from '../../transitions/index.ts';

/** What a checkpoint's meta holds beside the trainer. */
export interface SavedMeta extends Record<string, unknown> {
	runId: string;
	lastSeq: Record<string, number>;
	/** Env steps the run had accepted when this was saved (the metrics' step clock). */
	envSteps?: number;
	/** The highest step in metrics.jsonl and TensorBoard when this was saved: a resume cuts what follows. */
	metricsStep?: number;
	/** The transition ledger's books (runtime/ledger.ts). */
	ledger?: Record<string, Record<string, number>>;
	bestReturn: number | null;
	obsSpec?: SpecJson;
	actionSpec?: SpecJson;
}

// JSON has no ±Infinity (observation bounds often are): bounds travel as strings.
type SpecJson = { dim: number; names: string[]; low: string[]; high: string[] };
export const specToJson = (s: VectorSpec): SpecJson => ({ dim: s.dim, names: s.names, low: [...s.low].map(String), high: [...s.high].map(String) });
export const specFromJson = (s: SpecJson): VectorSpec => ({
	dim: s.dim,
	names: s.names,
	low: Float32Array.from(s.low, Number),
	high: Float32Array.from(s.high, Number)
});

/** The meta of a checkpoint's state.json, read without loading the trainer. */
export function metaInCheckpoint(checkpoint: Uint8Array): Partial<SavedMeta> {
	const state = unzipSync(checkpoint, { filter: (entry) => entry.name === 'state.json' })['state.json'];
	if (!state) throw new Error('not a pitwall checkpoint (no state.json)');
	return ((JSON.parse(strFromU8(state)) as { meta?: Partial<SavedMeta> }).meta ?? {}) as Partial<SavedMeta>;
}

export interface HeldBatch {
	actorId: string;
	batch: StepBlock;
}

export const HELD_FILE = 'run/held.bin';

export function encodeHeld(held: readonly HeldBatch[]): Uint8Array {
	const utf8 = new TextEncoder();
	const parts = held.map(({ actorId, batch }) => ({
		id: utf8.encode(actorId),
		frame: encodeMessage({ ...batch, type: MessageType.TRANSITION_BATCH, seq: 0 }, { columns: 'raw' })
	}));
	const out = new Uint8Array(parts.reduce((sum, p) => sum + 6 + p.id.length + p.frame.length, 0));
	const view = new DataView(out.buffer);
	let at = 0;
	for (const { id, frame } of parts) {
		view.setUint16(at, id.length, true);
		out.set(id, at + 2);
		at += 2 + id.length;
		view.setUint32(at, frame.length, true);
		out.set(frame, at + 4);
		at += 4 + frame.length;
	}
	return out;
}

/**
 * Decodes what encodeHeld wrote; a batch that no longer fits the learner's limits (dims, steps,
 * segments) throws with why. Frame sizes are not limited here: the file was written by us.
 */
export function decodeHeld(bytes: Uint8Array, limits?: Partial<Limits>): HeldBatch[] {
	if (bytes.length === 0) return [];
	const decoder = new Decoder({ ...limits, maxFrameBytes: bytes.length, maxDecompressedBytes: bytes.length });
	const utf8 = new TextDecoder('utf-8', { fatal: true });
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const held: HeldBatch[] = [];
	let at = 0;
	const need = (n: number) => {
		if (at + n > bytes.length) throw new Error(`${HELD_FILE} is truncated at byte ${at}`);
	};
	while (at < bytes.length) {
		need(2);
		const idLength = view.getUint16(at, true);
		need(2 + idLength + 4);
		const actorId = utf8.decode(bytes.subarray(at + 2, at + 2 + idLength));
		at += 2 + idLength;
		const frameLength = view.getUint32(at, true);
		need(4 + frameLength);
		const message = decoder.decode(bytes.subarray(at + 4, at + 4 + frameLength));
		at += 4 + frameLength;
		if (message.type !== MessageType.TRANSITION_BATCH) throw new Error(`${HELD_FILE} holds a message of type ${message.type}`);
		held.push({ actorId, batch: message });
	}
	return held;
}

/** The held batches in a checkpoint's zip (none in checkpoints saved before they were kept). */
export function heldInCheckpoint(checkpoint: Uint8Array, limits?: Partial<Limits>): HeldBatch[] {
	const bytes = unzipSync(checkpoint, { filter: (entry) => entry.name === HELD_FILE })[HELD_FILE];
	return bytes ? decodeHeld(bytes, limits) : [];
}
