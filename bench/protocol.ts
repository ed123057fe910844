/**
 * Protocol size and speed against the seed document's forms on the same realistic trajectories:
 * the seed's dict-per-transition (obs, action, reward, next_obs, done) as JSON, as msgpack, and as
 * msgpack+gzip, versus pitwall's TRANSITION_BATCH (which also carries logProb, value, policyVersion,
 * terminated/truncated and episode ids) in its two column codings: compact (PRED_RICE, default)
 * and raw. Throughput is encode + decode of 100-step batches, in transitions per second.
 */
import { gzipSync } from 'fflate';
import { Packr } from 'msgpackr';
import { decodeMessage, encodeMessage, type TransitionBatch } from '../src/lib/protocol/index.ts';
import { SEED_ACTION_DIM, SEED_OBS_DIM, trajectoryBatch } from '../tests/fixtures/trajectory.ts';
import { round, throughput, type BenchResult } from './harness.ts';

const BATCHES = 40;
const STEPS = 100;

interface SeedTransition {
	obs: number[];
	action: number[];
	reward: number;
	next_obs: number[];
	done: boolean;
}

function seedForm(batch: TransitionBatch): SeedTransition[] {
	const out: SeedTransition[] = [];
	for (let i = 0; i < batch.n; i++) {
		const next = i + 1 < batch.n ? batch.obs.subarray((i + 1) * SEED_OBS_DIM, (i + 2) * SEED_OBS_DIM) : batch.segments[0].finalObs;
		out.push({
			obs: Array.from(batch.obs.subarray(i * SEED_OBS_DIM, (i + 1) * SEED_OBS_DIM)),
			action: Array.from(batch.action.subarray(i * SEED_ACTION_DIM, (i + 1) * SEED_ACTION_DIM)),
			reward: batch.reward[i],
			next_obs: Array.from(next),
			done: i === batch.n - 1 && batch.segments[0].terminated
		});
	}
	return out;
}

export function run(): BenchResult {
	const batches = Array.from({ length: BATCHES }, (_, b) => trajectoryBatch(STEPS, 1000 + b, b));
	const seeds = batches.map(seedForm);
	const packr = new Packr({ useRecords: false });
	const transitions = BATCHES * STEPS;
	const sum = (f: (i: number) => number) => batches.reduce((s, _, i) => s + f(i), 0);

	const jsonBytes = sum((i) => new TextEncoder().encode(JSON.stringify(seeds[i])).length);
	const msgpackBytes = sum((i) => packr.pack(seeds[i]).length);
	const msgpackGzipBytes = sum((i) => gzipSync(packr.pack(seeds[i]), { level: 9 }).length);
	const frames = batches.map((b) => encodeMessage(b));
	const pitwallBytes = frames.reduce((s, f) => s + f.length, 0);
	const rawFrames = batches.map((b) => encodeMessage(b, { columns: 'raw' }));
	const pitwallRawBytes = rawFrames.reduce((s, f) => s + f.length, 0);

	// Lossless: every batch decodes bit-exactly, in both codings.
	batches.forEach((b, i) => {
		for (const frame of [frames[i], rawFrames[i]]) {
			const back = decodeMessage(frame) as TransitionBatch;
			for (const key of ['obs', 'action', 'reward', 'logProb'] as const) {
				for (let k = 0; k < b[key].length; k++) if (!Object.is(back[key][k], b[key][k])) throw new Error(`${key} not lossless`);
			}
		}
	});

	let k = 0;
	const jsonPerSec =
		throughput(() => {
			const i = k++ % BATCHES;
			JSON.parse(JSON.stringify(seeds[i]));
		}) * STEPS;
	const compactPerSec = throughput(() => decodeMessage(encodeMessage(batches[k++ % BATCHES]))) * STEPS;
	const rawPerSec = throughput(() => decodeMessage(encodeMessage(batches[k++ % BATCHES], { columns: 'raw' }))) * STEPS;

	return {
		name: 'protocol',
		figures: {
			bytesPerTransition: round(pitwallBytes / transitions),
			rawBytesPerTransition: round(pitwallRawBytes / transitions),
			jsonBytesPerTransition: round(jsonBytes / transitions),
			msgpackBytesPerTransition: round(msgpackBytes / transitions),
			msgpackGzipBytesPerTransition: round(msgpackGzipBytes / transitions),
			jsonTransitionsPerSec: Math.round(jsonPerSec),
			compactTransitionsPerSec: Math.round(compactPerSec),
			rawTransitionsPerSec: Math.round(rawPerSec),
			speedupVsJson: round(compactPerSec / jsonPerSec),
			rawSpeedupVsJson: round(rawPerSec / jsonPerSec)
		},
		// bytesPerTransition and speedupVsJson are both the default (compact) coding.
		targets: [
			{ key: 'bytesPerTransition', op: '<=', value: 48 },
			{ key: 'speedupVsJson', op: '>=', value: 20 },
			{ key: 'rawSpeedupVsJson', op: '>=', value: 20 }
		]
	};
}
