/** Pages that live in this process (the in-process simulated car): same reader, no copies elsewhere. */
import type { PageName } from '../ac/layout.ts';
import type { MappedPage, PageMapper } from './page-mapper.ts';

export class MemoryMapper implements PageMapper {
	readonly description = 'in-process pages';

	constructor(private readonly pages: Record<PageName, Uint8Array>) {}

	open(page: PageName): MappedPage {
		const bytes = this.pages[page];
		return {
			size: bytes.length,
			read: (into) => into.set(bytes),
			readHead: (into) => into.set(bytes.subarray(0, 4)),
			close: () => {}
		};
	}
}
