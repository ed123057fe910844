import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** Every track the run's actors described (TRACK), for the maps. */
export const GET = () => json({ tracks: runtime().tracks() });
