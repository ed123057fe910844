import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** A kept lap's trace (LapReplay) for the replay view. */
export const GET = ({ params }) => {
	const id = Number(params.id);
	if (!Number.isSafeInteger(id) || id < 1) error(400, `lap id must be a positive integer, got ${JSON.stringify(params.id)}`);
	const replay = runtime().lapReplay(id);
	if (!replay) error(404, `no replay of lap ${id} is kept`);
	return json(replay);
};
