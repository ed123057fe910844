import { error, json } from '@sveltejs/kit';
import { jsonBody, runtime } from '$lib/server/api';

/**
 * Live edits of the run's editable settings — the keys of status().hyperparams (PPO: learningRate,
 * entCoef; SAC: policyLr, qLr, utd) — validated like the run's config and logged as events.
 */
export const PATCH = async ({ request }) => {
	const body = await jsonBody(request);
	const rt = runtime();
	const snapshot = rt.training.snapshot;
	if (!snapshot) error(409, 'no trainer yet');
	const editable = Object.keys(snapshot.hyperparams);
	const changes: Record<string, number> = {};
	for (const [key, value] of Object.entries(body)) {
		if (!editable.includes(key)) error(400, `${key} cannot be edited live (only ${editable.join(', ')})`);
		if (typeof value !== 'number' || !Number.isFinite(value)) error(400, `${key} must be a finite number`);
		changes[key] = value;
	}
	try {
		await rt.setHyperparams(changes);
	} catch (e) {
		error(400, (e as Error).message.replace(/^trainer: /, ''));
	}
	return json(rt.status().hyperparams);
};
