import { error, json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** The actor's recent telemetry frames (bounded history) for the live view. */
export const GET = ({ params }) => {
	const actor = runtime().actor(params.id);
	if (!actor) error(404, `no connected actor ${params.id}`);
	return json({ actorId: params.id, frames: actor.telemetry });
};
