import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** The fleet's laps (totals, leaderboards, newest), or with `?actor=<id>` that actor id's newest laps. */
export const GET = ({ url }) => {
	const actor = url.searchParams.get('actor');
	return json(actor === null ? runtime().lapsView() : { actorId: actor, laps: runtime().lapsOf(actor) });
};
