import { error } from '@sveltejs/kit';
import { runtime } from '$lib/server/api';

/** The checkpoint ZIP (id: ckpt-NNNNNNNN, latest or best). */
export const GET = ({ params }) => {
	const rt = runtime();
	const bytes = rt.run.read(params.id);
	if (!bytes) error(404, `no checkpoint ${params.id}`);
	return new Response(bytes, {
		headers: {
			'content-type': 'application/zip',
			'content-disposition': `attachment; filename="${rt.runId}-${params.id}.zip"`
		}
	});
};
