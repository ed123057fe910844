import { error, json } from '@sveltejs/kit';
import { evalEpisodesProblem } from '$lib/protocol';
import { jsonBody, runtime } from '$lib/server/api';

/** The newest evaluation requests and their episodes, newest first. */
export const GET = () => json(runtime().evaluationList());

/** Actor ids a request may name. */
const MAX_EVAL_ACTORS = 256;

/**
 * {episodes?: 1…16 (default 1), actors?: actor ids}: deterministic episodes from every connected
 * local-mode actor, or from the named ones.
 */
export const POST = async ({ request }) => {
	const body = await jsonBody(request);
	const episodes = body.episodes ?? 1;
	const problem = evalEpisodesProblem(episodes);
	if (problem) error(400, problem);
	const { actors } = body;
	if (actors !== undefined && !(Array.isArray(actors) && actors.length <= MAX_EVAL_ACTORS && actors.every((a) => typeof a === 'string' && a.length <= 256))) {
		error(400, `actors must be a list of at most ${MAX_EVAL_ACTORS} actor ids`);
	}
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no policy yet: the trainer starts with the first actor');
	const info = rt.evaluate(episodes as number, actors as string[] | undefined);
	if (info.actors.length === 0) error(409, 'no connected local-mode actor to evaluate with');
	return json(info);
};
