import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';
import { fromRunIndex } from '$lib/server/runs-api';

/** The run's config.json. */
export const GET = async ({ params }) => json(await fromRunIndex(() => runtime().runConfig(params.id)));
