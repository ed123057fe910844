/**
 * AC's named file mappings on Windows through koffi: OpenFileMappingW(FILE_MAP_READ) — which
 * fails when AC has not created them, unlike Python's mmap(tagname=…) that silently creates an
 * empty page — then MapViewOfFile; UnmapViewOfFile and CloseHandle on close.
 */
import { createRequire } from 'node:module';
import { PAGE_BYTES, PAGE_NAMES, type PageName } from '../ac/layout.ts';
import type { MappedPage, PageMapper } from './page-mapper.ts';

const FILE_MAP_READ = 0x0004;

interface Kernel32 {
	OpenFileMappingW(access: number, inherit: boolean, name: string): unknown;
	MapViewOfFile(handle: unknown, access: number, high: number, low: number, bytes: number): unknown;
	UnmapViewOfFile(view: unknown): boolean;
	CloseHandle(handle: unknown): boolean;
	copy(view: unknown, into: Uint8Array, bytes: number): void;
}

function loadKernel32(): Kernel32 {
	const require = createRequire(import.meta.url);
	// koffi is the one native add-on, installed on the Windows PC with `npm install` (see docs).
	const koffi = require('koffi');
	const kernel32 = koffi.load('kernel32.dll');
	koffi.pointer('HANDLE', koffi.opaque()); // names the type used in the prototypes below
	return {
		OpenFileMappingW: kernel32.func('HANDLE __stdcall OpenFileMappingW(uint32 access, bool inherit, str16 name)'),
		MapViewOfFile: kernel32.func('void * __stdcall MapViewOfFile(HANDLE h, uint32 access, uint32 high, uint32 low, size_t bytes)'),
		UnmapViewOfFile: kernel32.func('bool __stdcall UnmapViewOfFile(void *view)'),
		CloseHandle: kernel32.func('bool __stdcall CloseHandle(HANDLE h)'),
		copy: (view, into, bytes) => into.set(new Uint8Array(koffi.view(view, bytes)))
	} as Kernel32;
}

export class Win32Mapper implements PageMapper {
	readonly description = 'Windows shared memory Local\\acpmf_*';
	private kernel32: Kernel32 | undefined;

	open(page: PageName): MappedPage | undefined {
		this.kernel32 ??= loadKernel32();
		const k = this.kernel32;
		const handle = k.OpenFileMappingW(FILE_MAP_READ, false, PAGE_NAMES[page]);
		if (!handle) return undefined;
		const size = PAGE_BYTES[page];
		const view = k.MapViewOfFile(handle, FILE_MAP_READ, 0, 0, size);
		if (!view) {
			k.CloseHandle(handle);
			return undefined;
		}
		return {
			size,
			read: (into) => k.copy(view, into, size),
			readHead: (into) => k.copy(view, into, 4),
			close: () => {
				k.UnmapViewOfFile(view);
				k.CloseHandle(handle);
			}
		};
	}
}
