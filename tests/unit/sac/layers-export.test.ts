/** The SAC checkpoint's actor in tfjs Layers format: tf.loadLayersModel loads it and it acts as the actor does. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { LOG_SQRT_2PI } from '../../../src/lib/ppo/gaussian.ts';
import { loadLayersArtifacts } from '../../../src/lib/ppo/layers-export.ts';
import { Rng } from '../../../src/lib/ppo/random.ts';
import { initBackend, tf } from '../../../src/lib/ppo/backend.ts';
import { saveSacCheckpoint } from '../../../src/lib/sac/checkpoint.ts';
import { SquashedPolicyForward } from '../../../src/lib/sac/forward.ts';
import { LOG_STD_MAX, LOG_STD_MIN } from '../../../src/lib/sac/layout.ts';
import { SacTrainer } from '../../../src/lib/sac/trainer.ts';

const OBS = 5;
const LOW = [-1, 0];
const HIGH = [1, 2];

describe('SAC actor as a tfjs Layers model', () => {
	before(() => initBackend(['cpu']));
	const trainer = new SacTrainer(OBS, 2, LOW, HIGH, { hiddenSizes: [8, 6], bufferSize: 100, seed: 3 });
	after(() => trainer.dispose());

	it('is in the checkpoint, loads with tf.loadLayersModel and gives the actor’s action and log-std', async () => {
		const files = unzipSync(await saveSacCheckpoint(trainer));
		const model = await loadLayersArtifacts({ modelJson: new TextDecoder().decode(files['model/model.json']), weights: files['model/weights.bin'] });
		const forward = new SquashedPolicyForward(trainer.actorLayout, trainer.nets.read().actor);
		const rng = new Rng(9);
		const rows = 16;
		const obs = Float32Array.from({ length: rows * OBS }, () => 6 * rng.next() - 3);
		const [action, logStd] = tf.tidy(() => (model.predict(tf.tensor2d(obs, [rows, OBS])) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array));
		let spread = 0;
		for (let r = 0; r < rows; r++) {
			const row = obs.subarray(r * OBS, (r + 1) * OBS);
			const mean = forward.mean(row);
			const { logProb } = forward.act(row); // ε = 0: log π = Σ −log σ − log √2π − log(scale·(1 − y²) + 1e-6)
			let logStdSum = -logProb;
			for (let i = 0; i < 2; i++) {
				assert.ok(Math.abs(action[r * 2 + i] - mean[i]) < 1e-5, `row ${r} action ${i}: ${action[r * 2 + i]} vs ${mean[i]}`);
				assert.ok(action[r * 2 + i] >= LOW[i] && action[r * 2 + i] <= HIGH[i]);
				const scale = (HIGH[i] - LOW[i]) / 2;
				const y = (mean[i] - (HIGH[i] + LOW[i]) / 2) / scale;
				logStdSum -= LOG_SQRT_2PI + Math.log(scale * (1 - y * y) + 1e-6);
				const s = logStd[r * 2 + i];
				assert.ok(s >= LOG_STD_MIN && s <= LOG_STD_MAX, `log σ ${s}`);
			}
			assert.ok(Math.abs(logStd[r * 2] + logStd[r * 2 + 1] - logStdSum) < 1e-4, `row ${r}: Σ log σ ${logStd[r * 2] + logStd[r * 2 + 1]} vs ${logStdSum}`);
			spread += Math.abs(action[r * 2] - action[0]);
		}
		assert.ok(spread > 1e-3, 'the actions depend on the observation');
		model.dispose();
	});
});
