import { error, json } from '@sveltejs/kit';
import { jsonBody, runtime } from '$lib/server/api';

const EDITABLE = ['learningRate', 'entCoef'] as const;

/** Live edits of {learningRate?, entCoef?}, validated like the run's config and logged as events. */
export const PATCH = async ({ request }) => {
	const body = await jsonBody(request);
	const changes: { learningRate?: number; entCoef?: number } = {};
	for (const [key, value] of Object.entries(body)) {
		if (!(EDITABLE as readonly string[]).includes(key)) error(400, `${key} cannot be edited live (only ${EDITABLE.join(', ')})`);
		if (typeof value !== 'number' || !Number.isFinite(value)) error(400, `${key} must be a finite number`);
		changes[key as (typeof EDITABLE)[number]] = value;
	}
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no trainer yet');
	try {
		await rt.setHyperparams(changes);
	} catch (e) {
		error(400, (e as Error).message);
	}
	return json(rt.status().hyperparams);
};
