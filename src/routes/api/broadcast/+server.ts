import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** Sends the current weights to every local-mode actor now. */
export const POST = () => {
	const rt = runtime();
	if (!rt.training.snapshot) error(409, 'no policy yet: the trainer starts with the first actor');
	return json({ policyVersion: rt.policyVersion, sent: rt.broadcast() });
};
