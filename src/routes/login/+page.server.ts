/**
 * Sign-in: the console token, once, for a session cookie (a random id, never the token; see
 * $lib/server/sessions). Failed attempts are throttled per client address (5 a minute, then 429
 * with Retry-After, whatever the token: a blocked address learns nothing).
 */
import { fail, redirect } from '@sveltejs/kit';
import { tokenMatches } from '$lib/server/auth';
import { LoginThrottle } from '$lib/server/login-throttle';
import { getRuntime } from '$lib/server/runtime';
import { SESSION_COOKIE, sessions } from '$lib/server/sessions';
import type { Actions } from './$types';

const throttle = new LoginThrottle();

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress, setHeaders }) => {
		const { consoleToken, publicOrigin } = getRuntime().config;
		if (consoleToken === undefined) redirect(303, '/');
		const address = getClientAddress();
		const wait = throttle.retryAfterSec(address);
		if (wait > 0) {
			setHeaders({ 'retry-after': String(wait) });
			return fail(429, { error: `too many attempts: try again in ${wait} s` });
		}
		const token = String((await request.formData()).get('token') ?? '');
		if (!tokenMatches(consoleToken, token)) {
			throttle.failed(address);
			return fail(401, { error: 'wrong token' });
		}
		throttle.succeeded(address);
		const { id, maxAgeSec } = sessions().create();
		const secure = url.protocol === 'https:' || (publicOrigin?.startsWith('https:') ?? false);
		cookies.set(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: maxAgeSec });
		redirect(303, '/');
	}
};
