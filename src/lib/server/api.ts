/** Small helpers shared by the /api routes: the runtime, JSON bodies validated at the edge. */
import { error } from '@sveltejs/kit';
import { getRuntime, type Runtime } from './runtime/index.ts';

/** JSON bodies the API accepts are small; anything bigger is refused. */
export const MAX_API_BODY_BYTES = 16 * 1024;

export function runtime(): Runtime {
	return getRuntime();
}

export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
	const text = await request.text();
	if (text.length > MAX_API_BODY_BYTES) error(413, `body over ${MAX_API_BODY_BYTES} bytes`);
	let body: unknown;
	try {
		body = JSON.parse(text || '{}');
	} catch {
		error(400, 'body must be JSON');
	}
	if (typeof body !== 'object' || body === null || Array.isArray(body)) error(400, 'body must be a JSON object');
	return body as Record<string, unknown>;
}
