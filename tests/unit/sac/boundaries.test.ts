/**
 * Garbage at SAC's new boundaries gets a clear error: the --algo and --sac flags, an action spec
 * SAC cannot squash into, presets against the user's settings, and checkpoints of the other
 * algorithm or of no algorithm at all.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { strToU8, zipSync } from 'fflate';
import { initBackend } from '../../../src/lib/ppo/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../src/lib/ppo/checkpoint.ts';
import { PpoTrainer } from '../../../src/lib/ppo/trainer.ts';
import type { VectorSpec } from '../../../src/lib/protocol/index.ts';
import { loadSacCheckpoint, saveSacCheckpoint } from '../../../src/lib/sac/checkpoint.ts';
import { sacConfigFor } from '../../../src/lib/sac/presets.ts';
import { SacTrainer } from '../../../src/lib/sac/trainer.ts';
import { parseServerConfig } from '../../../src/lib/server/config.ts';
import { trainerChoiceFor } from '../../../src/lib/server/runtime/trainer-choice.ts';

const spec = (names: string[], low: number[], high: number[]): VectorSpec => ({
	dim: names.length,
	names,
	low: Float32Array.from(low),
	high: Float32Array.from(high)
});
const OBS = spec(['a', 'b'], [-1, -1], [1, 1]);
const DRIVE = spec(['steer', 'throttle', 'brake'], [-1, 0, 0], [1, 1, 1]);

describe('SAC boundaries', () => {
	before(async () => {
		await initBackend(['cpu']);
	});

	it('--algo and --sac refuse what they cannot run, naming the flag', () => {
		assert.equal(parseServerConfig(['--algo', 'sac'], {}).learner.algo, 'sac');
		assert.throws(() => parseServerConfig(['--algo', 'a2c'], {}), /--algo/);
		assert.throws(() => parseServerConfig(['--sac', '{"utd":0}'], {}), /utd/);
		assert.throws(() => parseServerConfig(['--sac', '{"bogus":1}'], {}), /bogus/);
		assert.throws(() => parseServerConfig(['--sac', '{not json'], {}), /--sac/);
	});

	it('refuses an action spec without finite bounds, and an initial mean outside them', () => {
		const unbounded = spec(['x'], [-Infinity], [Infinity]);
		const made = sacConfigFor({}, OBS, unbounded);
		assert.ok('error' in made && /finite bounds/.test(made.error), JSON.stringify(made));
		const inverted = sacConfigFor({}, OBS, spec(['x'], [1], [-1]));
		assert.ok('error' in inverted && /high > low/.test(inverted.error));
		const outside = sacConfigFor({ initActionMean: [0, 1, 0.5] }, OBS, DRIVE);
		assert.ok('error' in outside && /strictly inside/.test(outside.error), JSON.stringify(outside));
		const short = sacConfigFor({ initActionMean: [0] }, OBS, DRIVE);
		assert.ok('error' in short && /1 values but the action has 3/.test(short.error));
		const empty = sacConfigFor({}, spec([], [], []), DRIVE);
		assert.ok('error' in empty && /no dimensions/.test(empty.error));
		// The learner refuses the actor with the same reason.
		const choice = trainerChoiceFor({ algo: 'sac', ppo: {}, sac: {} }, OBS, unbounded);
		assert.ok('error' in choice && /finite bounds/.test(choice.error));
	});

	it("applies the driving preset where the user left keys out, never over the user's", () => {
		const preset = sacConfigFor({}, OBS, DRIVE);
		assert.deepEqual(preset, { config: { nStep: 3, alpha: 0.01, hiddenSizes: [64, 64], learningStarts: 2000, initActionMean: [0, 0.5, 0.02] } });
		const user = sacConfigFor({ nStep: 1, initActionMean: [0.1, 0.2, 0.3] }, OBS, DRIVE);
		assert.deepEqual(user, { config: { nStep: 1, alpha: 0.01, hiddenSizes: [64, 64], learningStarts: 2000, initActionMean: [0.1, 0.2, 0.3] } });
		assert.deepEqual(sacConfigFor({}, OBS, spec(['x'], [-2], [2])), { config: {} }, 'no preset for another action');
	});

	it('each loader refuses the other algorithm and garbage with a clear error', async () => {
		const ppo = new PpoTrainer(2, 1, { hiddenSizes: [4] });
		const sac = new SacTrainer(2, 1, [-1], [1], { hiddenSizes: [4], bufferSize: 10 });
		const ppoBytes = await saveCheckpoint(ppo);
		const sacBytes = await saveSacCheckpoint(sac);
		assert.throws(() => loadSacCheckpoint(ppoBytes), /PPO checkpoint/);
		assert.throws(() => loadCheckpoint(sacBytes), /SAC checkpoint/);
		assert.throws(() => loadSacCheckpoint(new Uint8Array([1, 2, 3, 4])), /not a pitwall checkpoint \(unreadable zip/);
		assert.throws(() => loadSacCheckpoint(zipSync({ 'x.txt': strToU8('hi') })), /no state\.json/);
		assert.throws(() => loadSacCheckpoint(zipSync({ 'state.json': strToU8('{"algo":"dqn"}') })), /unknown algorithm "dqn"/);
		const truncated = zipSync({
			'state.json': strToU8(JSON.stringify({ format: 'pitwall-checkpoint', version: 1, algo: 'sac', config: {}, obsDim: 2, actionDim: 1 }))
		});
		assert.throws(() => loadSacCheckpoint(truncated), /actor\.bin missing or malformed/);
		assert.ok(loadSacCheckpoint(sacBytes).trainer instanceof SacTrainer, 'its own checkpoint loads');
		ppo.dispose();
		sac.dispose();
	});
});
