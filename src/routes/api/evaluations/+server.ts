import { error, json } from '@sveltejs/kit';
import { MAX_EVAL_EPISODES } from '$lib/protocol';
import { jsonBody, runtime } from '$lib/server/api';

/** The newest evaluation requests and their episodes, newest first. */
export const GET = () => json(runtime().evaluationList());

/** {episodes?: 1…16 (default 1)}: deterministic episodes from every connected local-mode actor. */
export const POST = async ({ request }) => {
	const body = await jsonBody(request);
	const episodes = body.episodes ?? 1;
	if (typeof episodes !== 'number' || !Number.isInteger(episodes) || episodes < 1 || episodes > MAX_EVAL_EPISODES) {
		error(400, `episodes must be an integer in [1, ${MAX_EVAL_EPISODES}]`);
	}
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no policy yet: the trainer starts with the first actor');
	const info = rt.evaluate(episodes);
	if (info.actors.length === 0) error(409, 'no connected local-mode actor to evaluate with');
	return json(info);
};
