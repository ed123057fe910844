/** PPO learns a reference task within a small budget (the 5-seed figures live in `npm run bench -- ppo`). */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { initBackend } from '../../../src/lib/ppo/backend.ts';
import { CartPole } from '../../../src/lib/ppo/envs/cartpole.ts';
import { train } from '../../../src/lib/ppo/train.ts';

before(() => initBackend(['wasm', 'cpu']));

it('CartPole-v1: mean return > 150 within 30k steps (seed 1)', () => {
	let best = 0;
	const { trainer } = train(
		() => new CartPole(),
		{ nSteps: 2048, seed: 1 },
		{
			numEnvs: 4,
			totalSteps: 30_000,
			onUpdate: (report) => {
				if (report.meanReturn > best) best = report.meanReturn;
				return best <= 150; // stop as soon as it is learnt
			}
		}
	);
	trainer.dispose();
	assert.ok(best > 150, `best mean return ${best.toFixed(1)}`);
});
