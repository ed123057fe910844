/** SAC's replay buffer: the ring, uniform sampling, n-step windows per segment, checkpoints and their errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { ReplayBuffer, SLOT_COLUMNS } from '../../../src/lib/sac/replay-buffer.ts';
import { allocSteps, nextObs, obsRow, segmentStarts, stepFlags, type Rollout } from '../../../src/lib/transitions/index.ts';

const dims = { obsDim: 2, actionDim: 1 };

interface Spec {
	stream?: string;
	rewards: number[];
	end?: 'terminated' | 'truncated';
}

/**
 * A rollout of the given segments, steps numbered t = from, from + 1, … across them: obs row
 * [t, 100 + t], action t, policyVersion t + 1; segment s ends in finalObs [1000 + s, 2000 + s].
 */
function rollout(specs: Spec[], from = 0): Rollout {
	const n = specs.reduce((sum, s) => sum + s.rewards.length, 0);
	const steps = allocSteps(n, dims);
	const out: Rollout = { n, ...dims, ...steps, segments: [] };
	let at = 0;
	specs.forEach((spec, s) => {
		out.segments.push({
			stream: spec.stream ?? 'a',
			start: at,
			episodeId: s,
			stepIndex: 0,
			length: spec.rewards.length,
			finalObs: new Float32Array([1000 + s, 2000 + s]),
			terminated: spec.end === 'terminated',
			truncated: spec.end === 'truncated'
		});
		for (const r of spec.rewards) {
			const t = from + at;
			steps.obs.set([t, 100 + t], at * 2);
			steps.action[at] = t;
			steps.reward[at] = r;
			steps.policyVersion[at] = t + 1;
			at++;
		}
	});
	return out;
}

/** A rollout of random values (n-step and checkpoint tests that only compare). */
function randomRollout(rng: Rng, specs: { stream: string; length: number; end?: Spec['end'] }[]): Rollout {
	const out = rollout(specs.map((s) => ({ stream: s.stream, end: s.end, rewards: Array.from({ length: s.length }, () => rng.normal()) })));
	for (let i = 0; i < out.obs.length; i++) out.obs[i] = rng.normal();
	for (const segment of out.segments) segment.finalObs.set([rng.normal(), rng.normal()]);
	return out;
}

/** Column `name` of the j-th oldest slot. */
const row = (buffer: ReplayBuffer, name: (typeof SLOT_COLUMNS)[number]['name'], j: number) => {
	const width = name === 'obs' || name === 'nextObs' ? buffer.obsDim : name === 'action' ? buffer.actionDim : 1;
	const i = buffer.slotIndex(j);
	return [...buffer.slots[name].subarray(i * width, (i + 1) * width)];
};
const oldestFirst = (buffer: ReplayBuffer, name: (typeof SLOT_COLUMNS)[number]['name']) => Array.from({ length: buffer.size }, (_, j) => row(buffer, name, j));

describe('replay ring', () => {
	it('keeps the newest `capacity` steps in order and counts overwrites per actor', () => {
		const buffer = new ReplayBuffer({ ...dims, capacity: 5, gamma: 0.9 });
		assert.deepEqual(buffer.stats(), { size: 0, capacity: 5, inserted: 0, overwritten: 0, dropped: 0, oldestAge: 0, perActor: {} });
		assert.equal(buffer.add(rollout([{ stream: 'a', rewards: [0, 1, 2, 3] }], 0)), 4);
		assert.deepEqual(buffer.stats().perActor, { a: 4 });
		// b's 3 steps overwrite a's two oldest.
		assert.equal(buffer.add(rollout([{ stream: 'b', rewards: [4, 5, 6] }], 4)), 3);
		assert.deepEqual(buffer.stats(), { size: 5, capacity: 5, inserted: 7, overwritten: 2, dropped: 0, oldestAge: 5, perActor: { a: 2, b: 3 } });
		assert.deepEqual(oldestFirst(buffer, 'reward').flat(), [2, 3, 4, 5, 6]);
		// a's 5 steps overwrite a's last two and all of b's.
		assert.equal(buffer.add(rollout([{ stream: 'a', rewards: [7, 8, 9, 10, 11] }], 7)), 5);
		assert.deepEqual(buffer.stats(), { size: 5, capacity: 5, inserted: 12, overwritten: 7, dropped: 0, oldestAge: 5, perActor: { a: 5, b: 0 } });
		assert.equal(buffer.slotIndex(0), 12 % 5, 'the oldest slot sits where the next write goes');
		assert.deepEqual(oldestFirst(buffer, 'reward').flat(), [7, 8, 9, 10, 11]);
		assert.deepEqual(
			oldestFirst(buffer, 'obs'),
			[7, 8, 9, 10, 11].map((t) => [t, 100 + t])
		);
		assert.deepEqual(oldestFirst(buffer, 'policyVersion').flat(), [8, 9, 10, 11, 12]);
		assert.deepEqual(oldestFirst(buffer, 'insertedAt').flat(), [7, 8, 9, 10, 11], 'insertion numbers');
	});

	it('stamps slots with the caller’s time when given; a rollout larger than the ring keeps its tail', () => {
		const buffer = new ReplayBuffer({ ...dims, capacity: 3, gamma: 0.9 });
		buffer.add(rollout([{ stream: 'x', rewards: [0, 1] }]), 1234.5);
		assert.deepEqual(oldestFirst(buffer, 'insertedAt').flat(), [1234.5, 1234.5]);
		assert.equal(buffer.add(rollout([{ stream: 'y', rewards: [2, 3, 4, 5, 6] }], 2)), 5);
		assert.deepEqual(oldestFirst(buffer, 'reward').flat(), [4, 5, 6]);
		assert.deepEqual(buffer.stats().perActor, { x: 0, y: 3 });
		assert.equal(buffer.stats().overwritten, 4);
	});

	it('estimates memory from the slot layout', () => {
		// obs + nextObs 2·4·obsDim, action 4·actionDim, reward 4, flags and horizon 3, version 4, actor 2, insertedAt 8.
		assert.equal(ReplayBuffer.bytesPerSlot(64, 3), 8 * 64 + 4 * 3 + 4 + 3 + 4 + 2 + 8);
		assert.equal(ReplayBuffer.memoryEstimate(64, 3, 1_000_000), 1_000_000 * ReplayBuffer.bytesPerSlot(64, 3));
	});
});

describe('replay sampling', () => {
	it('draws slots uniformly (χ² over 80 000 seeded draws) into a reused sample whose rows match their slots', () => {
		const buffer = new ReplayBuffer({ ...dims, capacity: 8, gamma: 0.5 });
		buffer.add(rollout([{ rewards: [0, 1, 2, 3, 4, 5, 6, 7], end: 'terminated' }]));
		const rng = new Rng(7);
		const out = buffer.allocSample(400);
		const columns = [out.obs, out.action, out.reward, out.nextObs, out.discount, out.index];
		const counts = new Array(8).fill(0);
		for (let draw = 0; draw < 200; draw++) {
			assert.equal(buffer.sample(400, rng, out), out);
			for (let b = 0; b < out.n; b++) {
				const i = out.index[b];
				counts[i]++;
				assert.equal(out.reward[b], buffer.slots.reward[i]);
				assert.deepEqual([out.obs[2 * b], out.obs[2 * b + 1], out.action[b]], [i, 100 + i, i]);
				assert.deepEqual([...out.nextObs.subarray(2 * b, 2 * b + 2)], i < 7 ? [i + 1, 101 + i] : [1000, 2000]);
				assert.equal(out.discount[b], i < 7 ? 0.5 : 0);
			}
		}
		assert.deepEqual([out.obs, out.action, out.reward, out.nextObs, out.discount, out.index], columns, 'no new arrays');
		const expected = 80_000 / 8;
		const chi2 = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
		assert.ok(chi2 < 24.32, `χ² ${chi2.toFixed(2)} ≥ 24.32 (7 degrees of freedom, p = 0.001): counts ${counts}`);
	});

	it('draws only held slots, the same ones for the same seed, and fills n rows of a larger sample', () => {
		const buffer = new ReplayBuffer({ ...dims, capacity: 10, gamma: 0.5 });
		buffer.add(rollout([{ rewards: [0, 1, 2] }]));
		const a = buffer.sample(3000, new Rng(3));
		assert.deepEqual(new Set(a.index), new Set([0, 1, 2]));
		assert.deepEqual(buffer.sample(3000, new Rng(3)).index, a.index);
		const big = buffer.allocSample(16);
		big.index.fill(99);
		assert.equal(buffer.sample(4, new Rng(3), big).n, 4);
		assert.deepEqual([...big.index.subarray(0, 4)], [...a.index.subarray(0, 4)]);
		assert.deepEqual([...big.index.subarray(4)], new Array(12).fill(99));
	});
});

describe('n-step transitions', () => {
	// γ = 0.5, nStep = 3, rewards 1…5: R = [1 + 1 + 0.75, 2 + 1.5 + 1, 3 + 2 + 1.25, 4 + 2.5, 5].
	const gamma = 0.5;
	const R = [2.75, 4.5, 6.25, 6.5, 5];
	const horizon = [3, 3, 3, 2, 1];
	const buffer = new ReplayBuffer({ ...dims, capacity: 32, nStep: 3, gamma });
	const steps = [1, 2, 3, 4, 5];
	// One rollout: windows must not run from one segment into the next.
	buffer.add(
		rollout([
			{ stream: 'a', rewards: steps, end: 'terminated' },
			{ stream: 'a', rewards: steps, end: 'truncated' },
			{ stream: 'b', rewards: steps },
			{ stream: 'c', rewards: [1, 2] }
		])
	);
	const slots = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
	const column = (name: 'reward' | 'horizon' | 'terminated' | 'truncated', from: number, to: number) => slots(from, to).map((i) => buffer.slots[name][i]);
	const next = (from: number, to: number) => slots(from, to).map((i) => [...buffer.slots.nextObs.subarray(2 * i, 2 * i + 2)]);
	const discount = (from: number, to: number) => slots(from, to).map((i) => buffer.discount(i));
	// Steps t = start + i: nextObs is obs row of t + 3 while the window stays inside, finalObs once it reaches the end.
	const nextRows = (start: number, s: number) => [[start + 3, 103 + start], [start + 4, 104 + start], ...new Array(3).fill([1000 + s, 2000 + s])];

	it('a terminated segment: the last 3 windows reach the terminal state and do not bootstrap', () => {
		assert.deepEqual(column('reward', 0, 5), R);
		assert.deepEqual(column('horizon', 0, 5), horizon);
		assert.deepEqual(next(0, 5), nextRows(0, 0));
		assert.deepEqual(column('terminated', 0, 5), [0, 0, 1, 1, 1]);
		assert.deepEqual(column('truncated', 0, 5), [0, 0, 0, 0, 0]);
		assert.deepEqual(discount(0, 5), [0.125, 0.125, 0, 0, 0]);
	});

	it('a truncated segment: the windows reaching the time limit bootstrap with γ^k', () => {
		assert.deepEqual(column('reward', 5, 10), R);
		assert.deepEqual(next(5, 10), nextRows(5, 1));
		assert.deepEqual(column('terminated', 5, 10), [0, 0, 0, 0, 0]);
		assert.deepEqual(column('truncated', 5, 10), [0, 0, 1, 1, 1]);
		assert.deepEqual(discount(5, 10), [0.125, 0.125, 0.125, 0.25, 0.5]);
	});

	it('a segment cut mid-episode: shorter windows at the cut, no flags, bootstrap from finalObs', () => {
		assert.deepEqual(column('reward', 10, 15), R);
		assert.deepEqual(column('horizon', 10, 15), horizon);
		assert.deepEqual(next(10, 15), nextRows(10, 2));
		assert.deepEqual([...column('terminated', 10, 15), ...column('truncated', 10, 15)], new Array(10).fill(0));
		assert.deepEqual(discount(10, 15), [0.125, 0.125, 0.125, 0.25, 0.5]);
	});

	it('a segment shorter than nStep: every window ends at finalObs', () => {
		assert.deepEqual(column('reward', 15, 17), [1 + 0.5 * 2, 2]);
		assert.deepEqual(column('horizon', 15, 17), [2, 1]);
		assert.deepEqual(next(15, 17), [
			[1003, 2003],
			[1003, 2003]
		]);
		assert.deepEqual(discount(15, 17), [0.25, 0.5]);
		assert.deepEqual(buffer.stats().perActor, { a: 10, b: 5, c: 2 });
	});

	it('nStep = 1 stores exactly the one-step transitions of the transition model', () => {
		const data = randomRollout(new Rng(11), [
			{ stream: 'a', length: 4, end: 'terminated' },
			{ stream: 'b', length: 3 },
			{ stream: 'a', length: 5, end: 'truncated' },
			{ stream: 'b', length: 1, end: 'terminated' }
		]);
		const one = new ReplayBuffer({ ...dims, capacity: data.n, gamma: 0.97 });
		one.add(data);
		const flags = stepFlags(data);
		for (const [segment, start] of segmentStarts(data)) {
			for (let i = 0; i < segment.length; i++) {
				const t = start + i;
				assert.deepEqual(row(one, 'obs', t), [...obsRow(data, t, dims)]);
				assert.deepEqual(row(one, 'action', t), [data.action[t]]);
				assert.deepEqual(row(one, 'reward', t), [data.reward[t]]);
				assert.deepEqual(row(one, 'nextObs', t), [...nextObs(segment, data, start, i, dims)]);
				assert.deepEqual([one.slots.terminated[t], one.slots.truncated[t], one.slots.horizon[t]], [flags.terminated[t], flags.truncated[t], 1]);
				assert.equal(one.discount(t), flags.terminated[t] ? 0 : 0.97);
			}
		}
	});
});

/** A wrapped buffer: capacity 7, 17 steps from three actors, n-step 2, some stamped with a time. */
function wrapped(): ReplayBuffer {
	const rng = new Rng(5);
	const buffer = new ReplayBuffer({ ...dims, capacity: 7, nStep: 2, gamma: 0.9 });
	buffer.add(randomRollout(rng, [{ stream: 'a', length: 6, end: 'terminated' }]));
	buffer.add(randomRollout(rng, [{ stream: 'b', length: 4 }]), 1.7e12);
	buffer.add(
		randomRollout(rng, [
			{ stream: 'c', length: 5, end: 'truncated' },
			{ stream: 'a', length: 2 }
		])
	);
	return buffer;
}

describe('replay checkpoints', () => {
	it('round-trip the whole state after a wrap: contents, ring position, counters, actors, config', () => {
		const buffer = wrapped();
		assert.equal(buffer.stats().overwritten, 10);
		const bytes = buffer.toBytes();
		const padded = new Uint8Array(bytes.length + 3);
		padded.set(bytes, 3);
		const copy = ReplayBuffer.fromBytes(padded.subarray(3));
		assert.deepEqual(copy.toBytes(), bytes);
		assert.deepEqual(copy.slots, buffer.slots);
		assert.deepEqual(copy.stats(), buffer.stats());
		assert.deepEqual([copy.obsDim, copy.actionDim, copy.capacity, copy.nStep, copy.gamma], [2, 1, 7, 2, 0.9]);
		assert.equal(copy.slotIndex(0), buffer.slotIndex(0));
		// Both carry on the same way: same slots written next, same actor indices, same samples.
		const more = randomRollout(new Rng(9), [
			{ stream: 'b', length: 3 },
			{ stream: 'd', length: 1 }
		]);
		buffer.add(more);
		copy.add(more);
		assert.deepEqual(copy.toBytes(), buffer.toBytes());
		assert.deepEqual(copy.sample(64, new Rng(1)), buffer.sample(64, new Rng(1)));
	});

	it('round-trip an empty and a partly filled buffer', () => {
		const empty = new ReplayBuffer({ ...dims, capacity: 4, nStep: 5, gamma: 1 });
		assert.deepEqual(ReplayBuffer.fromBytes(empty.toBytes()).stats(), empty.stats());
		empty.add(rollout([{ stream: 'z', rewards: [1, 2] }]));
		const copy = ReplayBuffer.fromBytes(empty.toBytes());
		assert.deepEqual(copy.slots, empty.slots);
		assert.deepEqual(copy.stats(), empty.stats());
		copy.add(rollout([{ stream: 'z', rewards: [3] }]));
		assert.equal(copy.size, 3);
	});

	it('under maxBytes keep the newest slots that fit, restored to the front of the ring', () => {
		const buffer = wrapped();
		const full = buffer.toBytes();
		const perSlot = ReplayBuffer.bytesPerSlot(2, 1);
		assert.deepEqual(buffer.toBytes(full.length), full);
		// The header keeps its length (the counters keep their digits), so each slot less is perSlot bytes less.
		const capped = buffer.toBytes(full.length - 2 * perSlot - 1);
		assert.ok(capped.length <= full.length - 2 * perSlot - 1);
		const restored = ReplayBuffer.fromBytes(capped);
		assert.equal(restored.size, 4, '5 slots would not fit');
		assert.equal(ReplayBuffer.fromBytes(buffer.toBytes(full.length - 2 * perSlot)).size, 5, 'the largest count that fits');
		for (const { name } of SLOT_COLUMNS) assert.deepEqual(oldestFirst(restored, name), oldestFirst(buffer, name).slice(3), name);
		assert.equal(restored.slotIndex(0), 0);
		const actors = oldestFirst(buffer, 'actor').slice(3).flat();
		const held = (k: number) => actors.filter((a) => a === k).length;
		assert.deepEqual(restored.stats(), { ...buffer.stats(), size: 4, dropped: 3, oldestAge: 4, perActor: { a: held(0), b: held(1), c: held(2) } });
		restored.add(rollout([{ stream: 'a', rewards: [1, 2, 3, 4] }]));
		assert.equal(restored.size, 7);
		assert.deepEqual(oldestFirst(restored, 'reward').slice(3).flat(), [1 + 0.9 * 2, 2 + 0.9 * 3, 3 + 0.9 * 4, 4].map(Math.fround), 'nStep 2, γ 0.9');
		assert.throws(() => buffer.toBytes(40), /below the header/);
	});

	it('under maxBytes keep the largest count that fits, also where the capped header is shorter than the full one', () => {
		// Full: size 12, head 10, dropped 0; k kept: size k, head k, dropped 12 − k (fewer digits for k < 10).
		const buffer = new ReplayBuffer({ ...dims, capacity: 12, gamma: 0.9 });
		buffer.add(randomRollout(new Rng(2), [{ stream: 'a', length: 22 }]));
		const full = buffer.toBytes();
		const fullHeader = JSON.parse(new TextDecoder().decode(full.subarray(8, 8 + new DataView(full.buffer).getUint32(4, true))));
		const lengthOf = (k: number) => 8 + JSON.stringify({ ...fullHeader, size: k, head: k, dropped: 12 - k }).length + k * ReplayBuffer.bytesPerSlot(2, 1);
		for (let k = 0; k < 12; k++) {
			assert.equal(ReplayBuffer.fromBytes(buffer.toBytes(lengthOf(k))).size, k, `exactly ${lengthOf(k)} bytes`);
			const below = Math.min(lengthOf(k + 1), full.length) - 1;
			assert.equal(ReplayBuffer.fromBytes(buffer.toBytes(below)).size, k, `${below} bytes`);
		}
	});
});

/** `bytes` with its JSON header edited (the columns kept as they are). */
function editHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
	const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
	const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
	edit(header);
	const json = new TextEncoder().encode(JSON.stringify(header));
	const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
	out.set(bytes.subarray(0, 4));
	new DataView(out.buffer).setUint32(4, json.length, true);
	out.set(json, 8);
	out.set(bytes.subarray(8 + length), 8 + json.length);
	return out;
}

describe('replay buffer errors', () => {
	it('rejects bad construction arguments', () => {
		const ok = { ...dims, capacity: 4, gamma: 0.99 };
		assert.doesNotThrow(() => new ReplayBuffer(ok));
		for (const [bad, message] of [
			[{ capacity: 0 }, /capacity/],
			[{ capacity: 2.5 }, /capacity/],
			[{ obsDim: 0 }, /obsDim/],
			[{ actionDim: -1 }, /actionDim/],
			[{ nStep: 0 }, /nStep/],
			[{ nStep: 256 }, /nStep/],
			[{ gamma: 1.01 }, /gamma/],
			[{ gamma: NaN }, /gamma/]
		] as const)
			assert.throws(
				() => new ReplayBuffer({ ...ok, ...bad }),
				(e: Error) => e instanceof RangeError && message.test(e.message),
				JSON.stringify(bad)
			);
	});

	it('rejects bad samples and rollouts, storing nothing from a bad rollout', () => {
		const buffer = new ReplayBuffer({ ...dims, capacity: 4, gamma: 0.99 });
		assert.throws(() => buffer.sample(1, new Rng(1)), /empty/);
		const good = rollout([{ rewards: [1] }, { rewards: [2] }]);
		assert.throws(() => buffer.add({ ...good, obsDim: 3 }), /dims/);
		assert.throws(() => buffer.add({ ...good, n: 3 }), /add up to 2/);
		const badFinal = rollout([{ rewards: [1] }, { rewards: [2] }]);
		badFinal.segments[1].finalObs = new Float32Array(3);
		assert.throws(() => buffer.add(badFinal), /finalObs/);
		assert.equal(buffer.size, 0);
		buffer.add(good);
		assert.throws(() => buffer.sample(0, new Rng(1)), /batch size/);
		assert.throws(() => buffer.sample(5, new Rng(1), buffer.allocSample(4)), /exceeds/);
		assert.throws(() => buffer.sample(2, new Rng(1), new ReplayBuffer({ obsDim: 3, actionDim: 1, capacity: 1, gamma: 1 }).allocSample(2)), /do not fit/);
	});

	it('rejects malformed checkpoints with the reason', () => {
		const bytes = wrapped().toBytes();
		const cases: [string, Uint8Array, RegExp][] = [
			['too short', bytes.subarray(0, 5), /too short/],
			['bad magic', Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b)), /bad magic/],
			['header past the end', bytes.subarray(0, 20), /runs past the end/],
			['not JSON', Uint8Array.from(bytes, (b, i) => (i === 8 ? 0x7b + 1 : b)), /unreadable header/],
			['version', editHeader(bytes, (h) => (h.version = 2)), /version 2/],
			['config', editHeader(bytes, (h) => delete h.nStep), /lacks nStep/],
			['bad capacity', editHeader(bytes, (h) => (h.capacity = 0)), /capacity/],
			['ring position', editHeader(bytes, (h) => (h.head = 9)), /ring position/],
			['counters', editHeader(bytes, (h) => (h.inserted = 16)), /counters disagree/],
			['actor table', editHeader(bytes, (h) => (h.actors = 'abc')), /actor table/],
			['column truncated', bytes.subarray(0, bytes.length - 1), /header implies/],
			['trailing byte', Uint8Array.from([...bytes, 0]), /header implies/],
			['missing actor', editHeader(bytes, (h) => (h.actors = ['a', 'b'])), /names actor 2 of 2/],
			['horizon', Uint8Array.from(bytes, (b, i) => (i === horizonOffset(bytes) ? 3 : b)), /horizon 3/]
		];
		for (const [what, corrupt, message] of cases)
			assert.throws(
				() => ReplayBuffer.fromBytes(corrupt),
				(e: Error) => e instanceof RangeError && message.test(e.message),
				`${what}: ${message}`
			);
		assert.doesNotThrow(() => ReplayBuffer.fromBytes(Uint8Array.from(bytes)));
	});
});

/** Offset in `bytes` (7 slots of dims 2/1) of the oldest slot's horizon. */
function horizonOffset(bytes: Uint8Array): number {
	const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
	return 8 + length + 7 * (4 * 2 + 4 * 1 + 4 + 4 * 2 + 1 + 1);
}
