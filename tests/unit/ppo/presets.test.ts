/** PPO presets belong to the action spec: trainerConfigFor applies them, or says why a run cannot train. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTION_NAMES, driveSpecs } from '../../../bridge-agent/src/rl/spaces.ts';
import { DEFAULT_PPO_CONFIG, resolvePpoConfig } from '../../../src/lib/ppo/config.ts';
import { DRIVING_PRESET, PPO_PRESETS, presetFor, trainerConfigFor } from '../../../src/lib/ppo/presets.ts';
import type { VectorSpec } from '../../../src/lib/protocol/index.ts';
import { sacConfigFor } from '../../../src/lib/sac/presets.ts';

const spec = (names: string[]): VectorSpec => ({
	dim: names.length,
	names,
	low: new Float32Array(names.length).fill(-1),
	high: new Float32Array(names.length).fill(1)
});
const { obsSpec, actionSpec } = driveSpecs();

const config = (result: ReturnType<typeof trainerConfigFor>) => {
	assert.ok('config' in result, `expected a config, got ${JSON.stringify(result)}`);
	return result.config;
};
const error = (result: ReturnType<typeof trainerConfigFor>) => {
	assert.ok('error' in result, `expected an error, got ${JSON.stringify(result)}`);
	return result.error;
};

describe('trainerConfigFor', () => {
	it('the learner defaults know no car: zero mean action, no entropy bonus', () => {
		assert.deepEqual(DEFAULT_PPO_CONFIG.initActionMean, []);
		assert.equal(DEFAULT_PPO_CONFIG.entCoef, 0);
		assert.equal(DEFAULT_PPO_CONFIG.initLogStd, 0);
	});

	it("the driving preset is for the agent's own action names", () => {
		assert.deepEqual(Object.keys(DRIVING_PRESET.actionMeans).sort(), [...ACTION_NAMES].sort());
		assert.equal(presetFor(actionSpec, PPO_PRESETS), DRIVING_PRESET);
	});

	it('applies the driving preset to the driving action spec', () => {
		assert.deepEqual(config(trainerConfigFor({}, obsSpec, actionSpec)), { initLogStd: -0.5, entCoef: 0.005, initActionMean: [0, 0.5, -0.5] });
	});

	it("keeps the preset's horizon in seconds at another control rate (γ, λ per step from 20 Hz's); the user's values win", () => {
		const preset = { initLogStd: -0.5, entCoef: 0.005, initActionMean: [0, 0.5, -0.5] };
		assert.deepEqual(config(trainerConfigFor({}, obsSpec, actionSpec, 20)), preset, 'at the rate it was tuned at: as it is');
		const at25 = config(trainerConfigFor({}, obsSpec, actionSpec, 25));
		assert.equal(at25.gamma, Number((0.99 ** 0.8).toFixed(6)));
		assert.equal(at25.gaeLambda, Number((0.95 ** 0.8).toFixed(6)));
		assert.ok(Math.abs(1 / (1 - at25.gamma!) / 25 - 1 / (1 - 0.99) / 20) < 0.01, 'the same horizon in seconds');
		assert.deepEqual(config(trainerConfigFor({ gamma: 0.97 }, obsSpec, actionSpec, 50)), {
			...preset,
			gamma: 0.97,
			gaeLambda: Number((0.95 ** 0.4).toFixed(6))
		});
		assert.deepEqual(config(trainerConfigFor({}, obsSpec, spec(['a']), 50)), {}, 'no preset: the learner defaults, untouched');
		const sac = sacConfigFor({}, obsSpec, actionSpec, 25);
		assert.ok('config' in sac && sac.config.gamma === Number((0.99 ** 0.8).toFixed(6)), JSON.stringify(sac));
	});

	it('keeps every key the user set, and fills only the others', () => {
		assert.deepEqual(config(trainerConfigFor({ entCoef: 0.01, nSteps: 1024 }, obsSpec, actionSpec)), {
			initLogStd: -0.5,
			entCoef: 0.01,
			nSteps: 1024,
			initActionMean: [0, 0.5, -0.5]
		});
		assert.deepEqual(config(trainerConfigFor({ initActionMean: [], initLogStd: 0 }, obsSpec, actionSpec)), {
			entCoef: 0.005,
			initActionMean: [],
			initLogStd: 0
		});
	});

	it("orders the preset's mean action by the spec's names", () => {
		assert.deepEqual(config(trainerConfigFor({}, obsSpec, spec(['throttle', 'brake', 'steer']))).initActionMean, [0.5, -0.5, 0]);
	});

	it('applies nothing to another action: an actor with two actions trains with the plain defaults', () => {
		const result = config(trainerConfigFor({}, spec(['x', 'v']), spec(['push', 'turn'])));
		assert.deepEqual(result, {});
		assert.doesNotThrow(() => resolvePpoConfig(result));
		assert.equal(presetFor(spec(['steer', 'throttle']), PPO_PRESETS), undefined, 'a subset of the driving names is another action');
		assert.equal(presetFor(spec(['steer', 'throttle', 'brake', 'clutch']), PPO_PRESETS), undefined);
	});

	it('says why an initial mean action of another size cannot train', () => {
		assert.equal(
			error(trainerConfigFor({ initActionMean: [0, 0.5, -0.5] }, spec(['x']), spec(['push', 'turn']))),
			'PPO setting initActionMean has 3 values ([0,0.5,-0.5]) but the action has 2 (push, turn): give one per action dimension, or [] for zeros'
		);
		assert.match(
			error(trainerConfigFor({ initActionMean: [1] }, obsSpec, actionSpec)),
			/has 1 values \(\[1\]\) but the action has 3 \(steer, throttle, brake\)/
		);
	});

	it('says why bad user settings or empty specs cannot train', () => {
		assert.equal(error(trainerConfigFor({ nStep: 1 } as never, obsSpec, actionSpec)), 'unknown PPO setting "nStep" (did you mean "nSteps"?)');
		assert.equal(error(trainerConfigFor({ minibatchSize: 4096 }, obsSpec, actionSpec)), 'minibatchSize (4096) must not exceed nSteps (2048)');
		assert.equal(error(trainerConfigFor({ gamma: 2 }, obsSpec, actionSpec)), 'PPO setting gamma must be in [0, 1], got 2');
		assert.equal(error(trainerConfigFor({}, spec([]), actionSpec)), 'the observation spec has no dimensions (dim 0)');
		assert.equal(error(trainerConfigFor({}, obsSpec, { ...spec(['a']), dim: 2 })), 'the action spec names 1 dimensions but has dim 2');
	});

	it('what it returns resolves to a config the trainer accepts', () => {
		const resolved = resolvePpoConfig(config(trainerConfigFor({ nSteps: 512 }, obsSpec, actionSpec)));
		assert.equal(resolved.nSteps, 512);
		assert.deepEqual(resolved.initActionMean, [0, 0.5, -0.5]);
	});
});
