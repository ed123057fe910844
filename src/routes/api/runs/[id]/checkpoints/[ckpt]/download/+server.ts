import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { runtime } from '$lib/server/api';
import { fromRunIndex } from '$lib/server/runs-api';

/** A checkpoint ZIP of any run in the runs directory (ckpt-NNNNNNNN, latest or best). */
export const GET = async ({ params }) => {
	const file = await fromRunIndex(() => runtime().runCheckpointFile(params.id, params.ckpt));
	return new Response(Readable.toWeb(createReadStream(file)) as ReadableStream, {
		headers: {
			'content-type': 'application/zip',
			'content-length': String(statSync(file).size),
			'content-disposition': `attachment; filename="${params.id}-${params.ckpt}.zip"`
		}
	});
};
