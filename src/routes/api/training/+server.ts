import { error, json } from '@sveltejs/kit';
import { jsonBody, runtime } from '$lib/server/api';

/** {action: "pause" | "resume"} */
export const POST = async ({ request }) => {
	const { action } = await jsonBody(request);
	const rt = runtime();
	if (action === 'pause') rt.pause();
	else if (action === 'resume') rt.resume();
	else error(400, 'action must be "pause" or "resume"');
	return json({ state: rt.training.state, paused: rt.training.paused });
};
