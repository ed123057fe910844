import { error } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** The run's metrics as JSONL (the file itself) or CSV. */
export const GET = ({ url }) => {
	const format = url.searchParams.get('format') ?? 'jsonl';
	const rt = runtime();
	if (format === 'jsonl')
		return new Response(rt.run.metrics.stream(), {
			headers: { 'content-type': 'application/x-ndjson', 'content-disposition': `attachment; filename="${rt.runId}-metrics.jsonl"` }
		});
	if (format === 'csv')
		return new Response(rt.metrics.csv(), { headers: { 'content-type': 'text/csv', 'content-disposition': `attachment; filename="${rt.runId}-metrics.csv"` } });
	error(400, 'format must be csv or jsonl');
};
