/**
 * Every request, in order: its Host must be ours (403: DNS rebinding); a state-changing /api
 * request must come from our own page's Origin, or carry `Authorization: Bearer` (403: cross-site
 * requests); then the console token guards everything but the sign-in page: the API answers 401,
 * pages redirect to /login. A browser signs in once at /login (a session cookie); CLI tools send
 * the token as Bearer. See src/lib/server/http-guard.ts and docs/operations.md, "Security".
 */
import type { IncomingMessage } from 'node:http';
import { redirect, type Handle, type RequestEvent } from '@sveltejs/kit';
import { bearerToken, tokenMatches } from '$lib/server/auth';
import { STATE_CHANGING, arrivalOf, expectedOrigins, stateChangeRefusal, type Arrival } from '$lib/server/http-guard';
import { getRuntime } from '$lib/server/runtime';
import { SESSION_COOKIE, sessions } from '$lib/server/sessions';

/** adapter-node hands us the Node request (`vite dev` does not: the local address is then unknown). */
function arrival(event: RequestEvent): Arrival {
	const req = (event.platform as { req?: IncomingMessage } | undefined)?.req;
	return req ? arrivalOf(req) : { host: event.request.headers.get('host') ?? event.url.host };
}

function refuse(event: RequestEvent, status: number, message: string): Response {
	const path = event.url.pathname;
	if (status === 403) {
		const { host } = arrival(event);
		const origin = event.request.headers.get('origin');
		getRuntime()
			.logger('http-guard')
			.warn({ method: event.request.method, path, host, origin, address: event.getClientAddress() }, `request refused: ${message}`);
	}
	if (path.startsWith('/api/')) return new Response(JSON.stringify({ message }), { status, headers: { 'content-type': 'application/json' } });
	return new Response(message, { status, headers: { 'content-type': 'text/plain' } });
}

export const handle: Handle = async ({ event, resolve }) => {
	const { config } = getRuntime();
	const path = event.url.pathname;
	const headers = event.request.headers;
	const origins = expectedOrigins(config, arrival(event));
	if (!origins) return refuse(event, 403, 'host not allowed');
	if (path.startsWith('/api/') && STATE_CHANGING.has(event.request.method)) {
		const refusal = stateChangeRefusal(headers.get('origin'), headers.get('authorization'), origins);
		if (refusal) return refuse(event, 403, refusal);
	}
	const { consoleToken } = config;
	if (consoleToken !== undefined && path !== '/login' && !path.startsWith('/_app/') && path !== '/favicon.svg') {
		const signedIn = sessions().valid(event.cookies.get(SESSION_COOKIE)) || tokenMatches(consoleToken, bearerToken(headers.get('authorization') ?? undefined));
		if (!signedIn) {
			if (path.startsWith('/api/')) return refuse(event, 401, 'console token required');
			redirect(303, '/login');
		}
	}
	return resolve(event);
};
