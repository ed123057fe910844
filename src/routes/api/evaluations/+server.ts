import { error, json } from '@sveltejs/kit';
import { evalEpisodesProblem } from '$lib/protocol';
import { jsonBody, runtime } from '$lib/server/api';

/** The newest evaluation requests and their episodes, newest first. */
export const GET = () => json(runtime().evaluationList());

/** {episodes?: 1…16 (default 1)}: deterministic episodes from every connected local-mode actor. */
export const POST = async ({ request }) => {
	const episodes = (await jsonBody(request)).episodes ?? 1;
	const problem = evalEpisodesProblem(episodes);
	if (problem) error(400, problem);
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no policy yet: the trainer starts with the first actor');
	const info = rt.evaluate(episodes as number);
	if (info.actors.length === 0) error(409, 'no connected local-mode actor to evaluate with');
	return json(info);
};
