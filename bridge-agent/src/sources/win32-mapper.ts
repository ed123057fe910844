/**
 * AC's named file mappings on Windows through koffi: OpenFileMappingW(FILE_MAP_READ) — which
 * fails when AC has not created them, unlike Python's mmap(tagname=…) that silently creates an
 * empty page — then MapViewOfFile of the whole section (size 0: AC makes every mapping 592 bytes
 * and still writes 684 into the static one); UnmapViewOfFile and CloseHandle on close.
 * "Not found" means AC is not running; any other failure (access denied: AC runs as administrator
 * and the agent does not) is reported with GetLastError's text.
 */
import { PAGE_BYTES, PAGE_NAMES, type PageName } from '../ac/layout.ts';
import { AcPagesError, type MappedPage, type PageMapper } from './page-mapper.ts';
import { ERROR_ACCESS_DENIED, ERROR_FILE_NOT_FOUND, errorText, win32 } from './win32.ts';

const FILE_MAP_READ = 0x0004;

/** What a Win32 failure means for a user of the agent. */
function failure(call: string, name: string, code: number): AcPagesError {
	const hint =
		code === ERROR_ACCESS_DENIED
			? ' — Assetto Corsa runs as administrator and this agent does not: run both the same way (both normal, or both as administrator)'
			: '';
	return new AcPagesError(`${call}(${name}) failed: ${errorText(code)} (error ${code})${hint}`);
}

export class Win32Mapper implements PageMapper {
	readonly description = 'Windows shared memory Local\\acpmf_*';

	open(page: PageName): MappedPage | undefined {
		const k = win32();
		const name = PAGE_NAMES[page];
		const handle = k.OpenFileMappingW(FILE_MAP_READ, 0, name);
		if (!handle) {
			const code = k.GetLastError();
			if (code === ERROR_FILE_NOT_FOUND) return undefined;
			throw failure('OpenFileMappingW', name, code);
		}
		const view = k.MapViewOfFile(handle, FILE_MAP_READ, 0, 0, 0);
		if (!view) {
			const code = k.GetLastError();
			k.CloseHandle(handle);
			throw failure('MapViewOfFile', name, code);
		}
		const size = PAGE_BYTES[page];
		// The view spans whole pages (≥ 4096 bytes), so the struct's size always fits in it.
		const bytes = new Uint8Array(k.koffi.view(view, size));
		const head = bytes.subarray(0, 4);
		let open = true;
		return {
			size,
			read: (into) => into.set(bytes),
			readHead: (into) => into.set(head),
			close: () => {
				if (!open) return;
				open = false;
				k.UnmapViewOfFile(view);
				k.CloseHandle(handle);
			}
		};
	}
}
