/**
 * The console token guards everything but the sign-in page: the API answers 401, pages redirect
 * to /login. The token comes from the HttpOnly cookie /login sets, or Authorization: Bearer.
 */
import { redirect, type Handle } from '@sveltejs/kit';
import { bearerToken, tokenMatches } from '$lib/server/auth';
import { getRuntime } from '$lib/server/runtime';
import { CONSOLE_COOKIE } from '$lib/server/ws/upgrade-router';

export const handle: Handle = async ({ event, resolve }) => {
	const { consoleToken } = getRuntime().config;
	const path = event.url.pathname;
	if (consoleToken !== undefined && path !== '/login' && !path.startsWith('/_app/') && path !== '/favicon.svg') {
		const given = event.cookies.get(CONSOLE_COOKIE) ?? bearerToken(event.request.headers.get('authorization') ?? undefined);
		if (!tokenMatches(consoleToken, given)) {
			if (path.startsWith('/api/')) {
				return new Response(JSON.stringify({ message: 'console token required' }), { status: 401, headers: { 'content-type': 'application/json' } });
			}
			redirect(303, '/login');
		}
	}
	return resolve(event);
};
