/**
 * SAC's replay buffer: a fixed-capacity ring of n-step transitions in typed-array columns, filled
 * from the learner's rollouts (the transition model's blocks) and sampled uniformly with
 * replacement (SB3, CleanRL). When full, each new transition overwrites the oldest.
 *
 * The rollout's `reward` column is the one-step reward r_t. Each slot holds the n-step sum
 * R = r_t + γ·r_{t+1} + … + γ^(k−1)·r_{t+k−1} over a window of k ≤ nStep steps that never leaves its
 * segment, the observation after those k steps, and the segment's end flags when the window reaches
 * the segment's end. A terminated window does not bootstrap; a truncated one (time limit) or one cut
 * mid-episode (a segment ending without either flag: the rollout boundary, a stale step) does, from
 * the observation it ends at. The trainer's target is R + discount·(Q(s′, a′) − α·log π), with
 * discount = γ^k·(1 − terminated). Observations are stored raw, like PPO's.
 *
 * Checkpoints: toBytes()/fromBytes(). Layout: 'PWRB', a little-endian u32 header length, the JSON
 * header (config, ring position, counters, actor table), then each column for the held slots, oldest
 * first, in the typed arrays' byte order (little-endian on every platform this runs on).
 */
import { nextObs, obsRow, segmentStarts, type Rollout, type StepDims } from '../transitions/index.ts';
import type { Rng } from '../ppo/random.ts';

export interface ReplayBufferOptions extends StepDims {
	capacity: number;
	/** Steps summed per transition (1 = one-step TD). At most 255. */
	nStep?: number;
	gamma: number;
}

/** A batch of transitions; allocate once with allocSample() and reuse. */
export interface ReplaySample {
	/** Rows filled by the last sample() (at most index.length). */
	n: number;
	obs: Float32Array;
	action: Float32Array;
	/** n-step discounted reward sums. */
	reward: Float32Array;
	nextObs: Float32Array;
	/** γ^k·(1 − terminated): what the target Q is multiplied by. */
	discount: Float32Array;
	/** The slots drawn (for priority updates later). */
	index: Uint32Array;
}

export interface ReplayStats {
	size: number;
	capacity: number;
	inserted: number;
	overwritten: number;
	/** Oldest slots left out of a size-capped checkpoint this buffer was restored from. */
	dropped: number;
	/** Insertions since the oldest slot held was inserted (0 when empty). */
	oldestAge: number;
	/** Slots held per actor (actors whose slots were all overwritten show 0). */
	perActor: Record<string, number>;
}

/** Each column of a slot: name, element type, width (`obs`/`action` follow the dims). */
export const SLOT_COLUMNS = [
	{ name: 'obs', type: 'f32', width: 'obs' },
	{ name: 'action', type: 'f32', width: 'action' },
	/** The n-step discounted reward sum R. */
	{ name: 'reward', type: 'f32', width: 1 },
	/** The observation after the window's k steps. */
	{ name: 'nextObs', type: 'f32', width: 'obs' },
	/** The window reached a terminal state (no bootstrap). */
	{ name: 'terminated', type: 'u8', width: 1 },
	/** The window reached a time limit (bootstraps). */
	{ name: 'truncated', type: 'u8', width: 1 },
	/** Steps k summed (1 … nStep). */
	{ name: 'horizon', type: 'u8', width: 1 },
	/** The weights version that chose the slot's (first) action. */
	{ name: 'policyVersion', type: 'u32', width: 1 },
	/** Index into the actor table of the stream the slot came from. */
	{ name: 'actor', type: 'u16', width: 1 },
	/** The insertion number (0, 1, …), or the `now` given to add(). */
	{ name: 'insertedAt', type: 'f64', width: 1 }
] as const;

const ARRAYS = { f32: Float32Array, f64: Float64Array, u32: Uint32Array, u16: Uint16Array, u8: Uint8Array };
type SlotColumn = (typeof SLOT_COLUMNS)[number];
export type SlotColumns = { [C in SlotColumn as C['name']]: InstanceType<(typeof ARRAYS)[C['type']]> };
const widthOf = (column: SlotColumn, dims: StepDims) => (column.width === 'obs' ? dims.obsDim : column.width === 'action' ? dims.actionDim : column.width);

const MAGIC = 0x42525750; // 'PWRB' read as a little-endian u32
const VERSION = 1;
const MAX_ACTORS = 0x10000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const CONFIG_KEYS = ['obsDim', 'actionDim', 'capacity', 'nStep', 'gamma'] as const;

type Counters = Pick<ReplayStats, 'size' | 'inserted' | 'overwritten' | 'dropped'>;
type Header = Required<ReplayBufferOptions> & Counters & { version: number; head: number; actors: string[] };

const isCount = (v: unknown, min = 0): v is number => Number.isSafeInteger(v) && (v as number) >= min;

function check(ok: boolean, message: string): asserts ok {
	if (!ok) throw new RangeError(`replay buffer: ${message}`);
}

export class ReplayBuffer implements StepDims {
	readonly obsDim: number;
	readonly actionDim: number;
	readonly capacity: number;
	readonly nStep: number;
	readonly gamma: number;
	/** The ring's columns, slot-major (slot i's obs is obs[i·obsDim, (i+1)·obsDim)). */
	readonly slots: SlotColumns;
	size = 0;
	inserted = 0;
	overwritten = 0;
	dropped = 0;
	/** The slot the next insertion writes. */
	private head = 0;
	private readonly actors: string[] = [];
	private readonly actorIndex = new Map<string, number>();
	private readonly held: number[] = [];
	/** γ^k for k = 0 … nStep. */
	private readonly gammaPow: Float64Array;

	constructor({ obsDim, actionDim, capacity, nStep = 1, gamma }: ReplayBufferOptions) {
		check(isCount(obsDim, 1) && isCount(actionDim, 1), `obsDim and actionDim must be positive integers (got ${obsDim}, ${actionDim})`);
		check(isCount(capacity, 1) && capacity <= 0xffffffff, `capacity must be an integer in [1, 2^32) (got ${capacity})`);
		check(isCount(nStep, 1) && nStep <= 255, `nStep must be an integer in [1, 255] (got ${nStep})`);
		check(typeof gamma === 'number' && gamma >= 0 && gamma <= 1, `gamma must be in [0, 1] (got ${gamma})`);
		this.obsDim = obsDim;
		this.actionDim = actionDim;
		this.capacity = capacity;
		this.nStep = nStep;
		this.gamma = gamma;
		const slots: Record<string, SlotColumns[keyof SlotColumns]> = {};
		for (const column of SLOT_COLUMNS) slots[column.name] = new ARRAYS[column.type](capacity * widthOf(column, this));
		this.slots = slots as SlotColumns;
		this.gammaPow = Float64Array.from({ length: nStep + 1 }, (_, k) => gamma ** k);
	}

	/** Bytes each slot takes in memory and in a checkpoint. */
	static bytesPerSlot(obsDim: number, actionDim: number): number {
		return SLOT_COLUMNS.reduce((sum, column) => sum + ARRAYS[column.type].BYTES_PER_ELEMENT * widthOf(column, { obsDim, actionDim }), 0);
	}

	/** Bytes a buffer of `capacity` slots allocates (all of it up front). */
	static memoryEstimate(obsDim: number, actionDim: number, capacity: number): number {
		return capacity * ReplayBuffer.bytesPerSlot(obsDim, actionDim);
	}

	/** The slot of the j-th oldest transition held (0 = oldest, size − 1 = newest). */
	slotIndex(j: number): number {
		return (this.head - this.size + j + 2 * this.capacity) % this.capacity;
	}

	/** γ^k·(1 − terminated) of slot i. */
	discount(i: number): number {
		return this.slots.terminated[i] ? 0 : this.gammaPow[this.slots.horizon[i]];
	}

	/** Inserts every step of every segment, in order, as n-step transitions; returns how many. */
	add(rollout: Rollout, now?: number): number {
		const { obsDim, actionDim, nStep, gammaPow, slots } = this;
		check(rollout.obsDim === obsDim && rollout.actionDim === actionDim, `rollout dims ${rollout.obsDim}/${rollout.actionDim} ≠ ${obsDim}/${actionDim}`);
		let steps = 0;
		for (const segment of rollout.segments) {
			check(segment.finalObs.length === obsDim, `segment finalObs has ${segment.finalObs.length} values, not ${obsDim}`);
			steps += segment.length;
		}
		check(steps === rollout.n, `segment lengths add up to ${steps}, the rollout has ${rollout.n} steps`);
		let stored = 0;
		for (const [segment, start] of segmentStarts(rollout)) {
			const actor = this.actorOf(segment.stream);
			const length = segment.length;
			for (let i = 0; i < length; i++) {
				const k = Math.min(nStep, length - i);
				let sum = 0;
				for (let j = 0; j < k; j++) sum += gammaPow[j] * rollout.reward[start + i + j];
				// A window reaching the segment's end takes its flags; a cut segment has neither and bootstraps.
				const end = i + k === length;
				const slot = this.claim(actor);
				slots.obs.set(obsRow(rollout, start + i, this), slot * obsDim);
				slots.action.set(rollout.action.subarray((start + i) * actionDim, (start + i + 1) * actionDim), slot * actionDim);
				slots.reward[slot] = sum;
				slots.nextObs.set(nextObs(segment, rollout, start, i + k - 1, this), slot * obsDim);
				slots.terminated[slot] = end && segment.terminated ? 1 : 0;
				slots.truncated[slot] = end && segment.truncated ? 1 : 0;
				slots.horizon[slot] = k;
				slots.policyVersion[slot] = rollout.policyVersion[start + i];
				slots.insertedAt[slot] = now ?? this.inserted - 1;
				stored++;
			}
		}
		return stored;
	}

	/** The next slot to write, for `actor`: counts it and the slot it overwrites. */
	private claim(actor: number): number {
		const slot = this.head;
		if (this.size === this.capacity) {
			this.held[this.slots.actor[slot]]--;
			this.overwritten++;
		} else this.size++;
		this.slots.actor[slot] = actor;
		this.held[actor]++;
		this.head = (slot + 1) % this.capacity;
		this.inserted++;
		return slot;
	}

	/** The index of a stream in the actor table; a full table reuses an entry that holds no slot. */
	private actorOf(name: string): number {
		let index = this.actorIndex.get(name);
		if (index !== undefined) return index;
		if (this.actors.length < MAX_ACTORS) index = this.actors.push(name) - 1;
		else {
			index = this.held.indexOf(0);
			check(index >= 0, `more than ${MAX_ACTORS} actors hold slots`);
			this.actorIndex.delete(this.actors[index]);
			this.actors[index] = name;
		}
		this.actorIndex.set(name, index);
		this.held[index] = 0;
		return index;
	}

	/** Preallocated rows for sample(). */
	allocSample(batchSize: number): ReplaySample {
		check(isCount(batchSize, 1), `batch size must be a positive integer (got ${batchSize})`);
		const { obsDim, actionDim } = this;
		const f = (width: number) => new Float32Array(batchSize * width);
		return { n: 0, obs: f(obsDim), action: f(actionDim), reward: f(1), nextObs: f(obsDim), discount: f(1), index: new Uint32Array(batchSize) };
	}

	/** `batchSize` transitions drawn uniformly with replacement, into `out` when given (else allocated). */
	sample(batchSize: number, rng: Rng, out: ReplaySample = this.allocSample(batchSize)): ReplaySample {
		check(isCount(batchSize, 1), `batch size must be a positive integer (got ${batchSize})`);
		check(this.size > 0, 'cannot sample from an empty buffer');
		const { obsDim, actionDim, slots } = this;
		const rows = out.index.length;
		check(batchSize <= rows, `batch size ${batchSize} exceeds the sample's ${rows} rows`);
		const fits = out.obs.length === rows * obsDim && out.nextObs.length === rows * obsDim && out.action.length === rows * actionDim;
		check(fits && out.reward.length >= rows && out.discount.length >= rows, "the sample's columns do not fit the buffer's dims");
		this.draw(out.index, batchSize, rng);
		for (let b = 0; b < batchSize; b++) {
			const i = out.index[b];
			out.obs.set(slots.obs.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
			out.action.set(slots.action.subarray(i * actionDim, (i + 1) * actionDim), b * actionDim);
			out.reward[b] = slots.reward[i];
			out.nextObs.set(slots.nextObs.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
			out.discount[b] = this.discount(i);
		}
		out.n = batchSize;
		return out;
	}

	/** Fills index[0, n) with slots to train on: uniform over those held (the hook for prioritised replay). */
	protected draw(index: Uint32Array, n: number, rng: Rng): void {
		for (let b = 0; b < n; b++) index[b] = rng.int(this.size);
	}

	stats(): ReplayStats {
		const perActor: Record<string, number> = {};
		this.actors.forEach((name, i) => (perActor[name] = this.held[i]));
		// The ring drops only its oldest: the oldest slot held is insertion number inserted − size.
		const oldestAge = this.size;
		const { size, capacity, inserted, overwritten, dropped } = this;
		return { size, capacity, inserted, overwritten, dropped, oldestAge, perActor };
	}

	/**
	 * The whole state as bytes. With `maxBytes` below the full size, only the newest slots that fit
	 * are kept; they restore to the front of the ring and the rest count as `dropped`.
	 */
	toBytes(maxBytes = Infinity): Uint8Array {
		check(LITTLE_ENDIAN, 'checkpoints assume a little-endian host');
		check(maxBytes >= 0, `maxBytes must be a non-negative number (got ${maxBytes})`);
		const perSlot = ReplayBuffer.bytesPerSlot(this.obsDim, this.actionDim);
		const encode = (kept: number) => {
			const json = new TextEncoder().encode(JSON.stringify(this.header(kept)));
			return { json, total: 8 + json.length + kept * perSlot };
		};
		let kept = this.size;
		let { json, total } = encode(kept);
		if (total > maxBytes) {
			check(encode(0).total <= maxBytes, `maxBytes ${maxBytes} is below the header's ${encode(0).total} bytes`);
			kept = Math.max(0, Math.floor((maxBytes - 8 - json.length) / perSlot));
			while (kept + 1 < this.size && encode(kept + 1).total <= maxBytes) kept++;
			while (encode(kept).total > maxBytes) kept--;
			({ json, total } = encode(kept));
		}
		const out = new Uint8Array(total);
		const view = new DataView(out.buffer);
		view.setUint32(0, MAGIC, true);
		view.setUint32(4, json.length, true);
		out.set(json, 8);
		this.copySlots(kept, this.slotIndex(this.size - kept), 8 + json.length, (slots, at) => out.set(slots, at));
		return out;
	}

	private header(kept: number): Header {
		const { obsDim, actionDim, capacity, nStep, gamma, inserted, overwritten } = this;
		const whole = kept === this.size;
		const [size, head, dropped] = whole ? [this.size, this.head, this.dropped] : [kept, kept % capacity, this.dropped + this.size - kept];
		return { version: VERSION, obsDim, actionDim, capacity, nStep, gamma, size, head, inserted, overwritten, dropped, actors: this.actors };
	}

	/** Visits the bytes of `count` slots from slot `first` on (wrapping), column by column, with their offset from `at` on. */
	private copySlots(count: number, first: number, at: number, visit: (slots: Uint8Array, at: number) => void): void {
		const head = Math.min(count, this.capacity - first);
		const runs = [first, first + head, 0, count - head];
		for (const name of SLOT_COLUMNS) {
			const column = this.slots[name.name];
			const size = column.BYTES_PER_ELEMENT * widthOf(name, this);
			for (let r = 0; r < 4; r += 2) {
				visit(new Uint8Array(column.buffer, column.byteOffset + runs[r] * size, (runs[r + 1] - runs[r]) * size), at);
				at += (runs[r + 1] - runs[r]) * size;
			}
		}
	}

	/** A buffer restored from toBytes(); throws a RangeError saying what is wrong with malformed bytes. */
	static fromBytes(bytes: Uint8Array): ReplayBuffer {
		check(LITTLE_ENDIAN, 'checkpoints assume a little-endian host');
		check(bytes.length >= 8, `checkpoint too short (${bytes.length} bytes)`);
		const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
		check(view.getUint32(0, true) === MAGIC, 'not a replay buffer checkpoint (bad magic)');
		const length = view.getUint32(4, true);
		check(8 + length <= bytes.length, `header length ${length} runs past the end (${bytes.length} bytes)`);
		let h: Header;
		try {
			h = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)));
		} catch (e) {
			throw new RangeError(`replay buffer: unreadable header (${(e as Error).message})`);
		}
		check(typeof h === 'object' && h !== null && h.version === VERSION, `unsupported checkpoint version ${h?.version} (expected ${VERSION})`);
		const missing = CONFIG_KEYS.filter((key) => typeof h[key] !== 'number');
		check(missing.length === 0, `header lacks ${missing.join(', ')}`);
		const { size, head, inserted, overwritten, dropped, actors } = h;
		const counts = [size, head, inserted, overwritten, dropped].every((v) => isCount(v));
		check(counts, 'header counters must be non-negative integers');
		// Checked before allocating, so a truncated file fails fast whatever capacity it claims.
		const expected = 8 + length + size * ReplayBuffer.bytesPerSlot(h.obsDim, h.actionDim);
		check(bytes.length === expected, `checkpoint is ${bytes.length} bytes; its header implies ${expected}`);
		const buffer = new ReplayBuffer(h);
		const capacity = buffer.capacity;
		const ring = size <= capacity && head < capacity && (size === capacity || head === size);
		check(ring, `ring position size ${size} / head ${head} impossible at capacity ${capacity}`);
		check(inserted === size + overwritten + dropped, `counters disagree: inserted ${inserted} ≠ size + overwritten + dropped`);
		check(Array.isArray(actors) && actors.length <= MAX_ACTORS && actors.every((a) => typeof a === 'string'), 'actor table must be a list of names');
		Object.assign(buffer, { size, head, inserted, overwritten, dropped });
		buffer.copySlots(size, buffer.slotIndex(0), 8 + length, (slots, at) => slots.set(bytes.subarray(at, at + slots.length)));
		actors.forEach((name, i) => {
			buffer.actors.push(name);
			buffer.actorIndex.set(name, i);
			buffer.held[i] = 0;
		});
		check(buffer.actorIndex.size === actors.length, 'actor table lists a name twice');
		const { actor, horizon, terminated, truncated } = buffer.slots;
		for (let j = 0; j < size; j++) {
			const i = buffer.slotIndex(j);
			check(actor[i] < actors.length, `slot ${i} names actor ${actor[i]} of ${actors.length}`);
			const valid = horizon[i] >= 1 && horizon[i] <= buffer.nStep && terminated[i] <= 1 && truncated[i] <= 1;
			check(valid, `slot ${i} has horizon ${horizon[i]} or flags out of range`);
			buffer.held[actor[i]]++;
		}
		return buffer;
	}
}
