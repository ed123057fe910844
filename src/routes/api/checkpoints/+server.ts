import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

export const GET = () =>
	json(
		runtime()
			.run.list()
			.map(({ id, bytes, savedAt, updates }) => ({ id, bytes, savedAt, updates }))
	);

/** Saves a checkpoint now. */
export const POST = async () => {
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no trainer yet: nothing to save');
	return json({ id: await rt.checkpoint('manual') }, { status: 201 });
};
