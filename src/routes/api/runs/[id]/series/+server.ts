import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';
import { fromRunIndex } from '$lib/server/runs-api';

/** `?keys=a,b`: up to 4 metric series of the run (RunSeries), downsampled. */
export const GET = async ({ params, url }) => {
	const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean);
	return json(await fromRunIndex(() => runtime().runSeries(params.id, keys)));
};
