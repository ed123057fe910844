/** The runs page's settings table: nested configs flattened to dotted paths, the differing ones first. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffRows, flatten } from '../../../src/lib/components/config-diff.ts';

test('flatten: nested maps to dotted paths, lists and scalars as JSON', () => {
	assert.deepEqual(flatten({ algo: 'ppo', ppo: { learningRate: 3e-4, hiddenSizes: [64, 64], targetKl: null } }), {
		algo: 'ppo',
		'ppo.learningRate': '0.0003',
		'ppo.hiddenSizes': '[64,64]',
		'ppo.targetKl': 'null'
	});
});

test('diffRows: differing settings first (a setting only one run has differs too), the run ids left out', () => {
	const rows = diffRows([
		{ runId: 'a', learner: { runId: 'a' }, algo: 'ppo', ppo: { learningRate: 3e-4, nSteps: 2048 } },
		{ runId: 'b', learner: { runId: 'b' }, algo: 'ppo', ppo: { learningRate: 1e-3, nSteps: 2048, seed: 2 } }
	]);
	assert.deepEqual(
		rows.map((r) => [r.key, r.differs]),
		[
			['ppo.learningRate', true],
			['ppo.seed', true],
			['algo', false],
			['ppo.nSteps', false]
		]
	);
	assert.deepEqual(rows[1].values, ['', '2']);
});
