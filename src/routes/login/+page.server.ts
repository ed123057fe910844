import { fail, redirect } from '@sveltejs/kit';
import { tokenMatches } from '$lib/server/auth';
import { getRuntime } from '$lib/server/runtime';
import { CONSOLE_COOKIE } from '$lib/server/ws/upgrade-router';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ request, cookies, url }) => {
		const token = String((await request.formData()).get('token') ?? '');
		if (!tokenMatches(getRuntime().config.consoleToken, token)) return fail(401, { error: 'wrong token' });
		cookies.set(CONSOLE_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'strict', secure: url.protocol === 'https:' });
		redirect(303, '/');
	}
};
