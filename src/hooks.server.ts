/** The console token guards the HTTP API (cookie pitwall_console or Authorization: Bearer). */
import type { Handle } from '@sveltejs/kit';
import { bearerToken, tokenMatches } from '$lib/server/auth';
import { getRuntime } from '$lib/server/runtime';
import { CONSOLE_COOKIE } from '$lib/server/ws/upgrade-router';

export const handle: Handle = async ({ event, resolve }) => {
	if (event.url.pathname.startsWith('/api/')) {
		const { consoleToken } = getRuntime().config;
		const given = event.cookies.get(CONSOLE_COOKIE) ?? bearerToken(event.request.headers.get('authorization') ?? undefined);
		if (!tokenMatches(consoleToken, given)) {
			return new Response(JSON.stringify({ message: 'console token required' }), { status: 401, headers: { 'content-type': 'application/json' } });
		}
	}
	return resolve(event);
};
