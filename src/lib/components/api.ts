/** Calls to the learner's HTTP API from the console (same origin; the cookie carries the token). */
export async function api<T = unknown>(path: string, method = 'GET', body?: unknown): Promise<T> {
	const response = await fetch(path, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	const text = await response.text();
	const payload = text ? JSON.parse(text) : undefined;
	if (!response.ok) throw new Error(payload?.message ?? `${method} ${path}: HTTP ${response.status}`);
	return payload as T;
}
