import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

export const GET = () => json(runtime().actorInfos());
