import { json } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** Every run in the runs directory (RunSummary[]), newest first. */
export const GET = () => json(runtime().runs());
