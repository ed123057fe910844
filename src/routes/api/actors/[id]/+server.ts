import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** Disconnects an actor (it may reconnect; use the actor token to keep it out). */
export const DELETE = ({ params }) => {
	if (!runtime().disconnect(params.id)) error(404, `no connected actor ${params.id}`);
	return json({ disconnected: params.id });
};
