/** The runs routes' one way to turn a RunIndexError into its HTTP status. */
import { error } from '@sveltejs/kit';
import { RunIndexError } from './run/run-index.ts';

export async function fromRunIndex<T>(read: () => T | Promise<T>): Promise<T> {
	try {
		return await read();
	} catch (e) {
		if (RunIndexError.is(e)) error(e.status, e.message);
		throw e;
	}
}
