/** The hand-derived PPO gradient equals tfjs autodiff of the CleanRL loss. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { resolvePpoConfig } from '../../../src/lib/ppo/config.ts';
import { ppoLossAndGradient } from '../../../src/lib/ppo/gradients.ts';
import { initParams, policyLayout } from '../../../src/lib/ppo/layout.ts';
import { autodiffLossAndGradient, type Minibatch } from '../../../src/lib/ppo/loss.ts';
import { ActorCriticModel } from '../../../src/lib/ppo/model.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';

before(() => initBackend(['cpu']));

function setup(seed: number) {
	const rng = new Rng(seed);
	const layout = policyLayout(5, 3, [16, 8]);
	const params = initParams(layout, rng, -0.5);
	for (let i = 0; i < params.length; i++) params[i] += 0.1 * rng.normal(); // leave the init's special values
	const model = new ActorCriticModel(layout, params);
	const n = 32;
	const f = (k: number, scale = 1) => Float32Array.from({ length: k }, () => scale * rng.normal());
	// Old log-probs far from the new ones, so some ratios fall outside [1 − ε, 1 + ε].
	const mb: Minibatch = {
		obs: tf.tensor2d(f(n * 5), [n, 5]),
		action: tf.tensor2d(f(n * 3), [n, 3]),
		logProb: tf.tensor1d(f(n, 0.5).map((x) => x - 3)),
		advantages: tf.tensor1d(f(n)),
		returns: tf.tensor1d(f(n, 2)),
		values: tf.tensor1d(f(n, 2))
	};
	return { model, mb };
}

describe('PPO gradient', () => {
	for (const clipVloss of [false, true]) {
		it(`matches autodiff (clipVloss ${clipVloss}, entCoef 0.01)`, () => {
			const { model, mb } = setup(clipVloss ? 2 : 1);
			const config = resolvePpoConfig({ clipVloss, entCoef: 0.01, clipCoef: 0.2 });
			tf.tidy(() => {
				const fast = ppoLossAndGradient(model, mb, config);
				const ref = autodiffLossAndGradient(model, mb, config);
				const clipfrac = fast.metrics.dataSync()[5];
				assert.ok(clipfrac > 0.05, `the test must exercise clipping (clipfrac ${clipfrac})`);
				assert.ok(Math.abs(fast.loss.dataSync()[0] - ref.loss.dataSync()[0]) < 1e-5);
				const a = fast.gradient.dataSync();
				const b = ref.gradient.dataSync();
				assert.equal(a.length, model.layout.size);
				let worst = 0;
				for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-4 + Math.abs(b[i])));
				assert.ok(worst < 1e-3, `largest relative difference ${worst}`);
			});
			model.dispose();
			Object.values(mb).forEach((t) => t.dispose());
		});
	}
});
