/**
 * metrics.jsonl: one MetricPoint per line, steps increasing. Never read whole — a long run's file
 * can pass what one string may hold (512 MiB): the console's history is read from the end, a
 * resume cuts from the end (a truncate, no rewrite), the API streams the file. Appends stop at a
 * size cap (the caller alerts once), so one run cannot fill the disk with metrics.
 */
import { appendFileSync, closeSync, createReadStream, existsSync, fstatSync, openSync, readSync, statSync, truncateSync } from 'node:fs';
import { Readable } from 'node:stream';

const CHUNK = 64 * 1024;

/**
 * Whole lines of a file from byte `start` on, first first, each with the offset just past its
 * newline (where reading may resume). A last line without its newline — being written, or torn by
 * a crash — is not yielded. Read in chunks: no string longer than a chunk's lines is built.
 */
export function* linesFrom(path: string, start = 0): Generator<{ line: string; end: number }> {
	if (!existsSync(path)) return;
	const fd = openSync(path, 'r');
	try {
		const size = fstatSync(fd).size;
		let position = start;
		let carry = Buffer.alloc(0); // bytes after the last newline seen, not yet a whole line
		while (position < size) {
			const chunk = Buffer.alloc(Math.min(CHUNK, size - position));
			const read = readSync(fd, chunk, 0, chunk.length, position);
			if (read === 0) break;
			const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
			const base = position + read - data.length; // file offset of data[0]
			let from = 0;
			for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
				if (nl > from) yield { line: data.subarray(from, nl).toString('utf8'), end: base + nl + 1 };
				from = nl + 1;
			}
			carry = Buffer.from(data.subarray(from));
			position += read;
		}
	} finally {
		closeSync(fd);
	}
}

/** Lines from the end of a file, last first, each with the byte offset where it starts. */
export function* linesFromEnd(path: string): Generator<{ line: string; start: number }> {
	if (!existsSync(path)) return;
	const fd = openSync(path, 'r');
	try {
		let end = fstatSync(fd).size;
		let tail = Buffer.alloc(0); // bytes after the last newline seen, not yet a whole line
		while (end > 0) {
			const start = Math.max(0, end - CHUNK);
			const chunk = Buffer.alloc(end - start);
			readSync(fd, chunk, 0, chunk.length, start);
			let data = Buffer.concat([chunk, tail]);
			let cut = data.lastIndexOf(0x0a, data.length - 1);
			while (cut >= 0) {
				const line = data.subarray(cut + 1);
				if (line.length) yield { line: line.toString('utf8'), start: start + cut + 1 };
				data = data.subarray(0, cut);
				cut = data.lastIndexOf(0x0a);
			}
			tail = Buffer.from(data);
			end = start;
		}
		if (tail.length) yield { line: tail.toString('utf8'), start: 0 };
	} finally {
		closeSync(fd);
	}
}

function stepOf(line: string): number | undefined {
	try {
		const point = JSON.parse(line) as { step?: unknown } | null;
		return point !== null && typeof point === 'object' && typeof point.step === 'number' ? point.step : undefined;
	} catch {
		return undefined; // a torn line after a crash
	}
}

export class MetricsFile {
	private bytes: number;
	/** Appends refused since the cap was reached (the first one is the caller's cue to alert). */
	refused = 0;

	constructor(
		readonly path: string,
		readonly maxBytes: number
	) {
		this.bytes = existsSync(path) ? statSync(path).size : 0;
	}

	get size(): number {
		return this.bytes;
	}

	/** Appends a line; false (nothing written) once the file has reached its cap. */
	append(point: Record<string, unknown>): boolean {
		const line = JSON.stringify(point) + '\n';
		const bytes = Buffer.byteLength(line);
		if (this.bytes + bytes > this.maxBytes) {
			this.refused++;
			return false;
		}
		appendFileSync(this.path, line);
		this.bytes += bytes;
		return true;
	}

	/** The last `count` well-formed points, oldest first. */
	tail<T>(count: number): T[] {
		const out: T[] = [];
		for (const { line } of linesFromEnd(this.path)) {
			if (out.length >= count) break;
			if (!line.trim()) continue;
			try {
				out.push(JSON.parse(line) as T);
			} catch {
				// a torn line: skipped
			}
		}
		return out.reverse();
	}

	/**
	 * For a resume: removes, from the end, every line whose step is beyond `step` (and any torn or
	 * malformed line among them), stopping at the first well-formed line at or before it; the file is
	 * truncated there. Returns how many non-blank lines went.
	 */
	cutAfter(step: number): number {
		let removed = 0;
		let keepUpTo: number | undefined;
		for (const { line, start } of linesFromEnd(this.path)) {
			if (!line.trim()) continue;
			const at = stepOf(line);
			if (at !== undefined && at <= step) {
				keepUpTo = start + Buffer.byteLength(line) + 1;
				break;
			}
			removed++;
		}
		if (removed > 0) {
			truncateSync(this.path, Math.min(keepUpTo ?? 0, statSync(this.path).size));
			this.bytes = statSync(this.path).size;
		}
		return removed;
	}

	/** The whole file as a web stream (for the API), however big. */
	stream(): ReadableStream<Uint8Array> {
		if (!existsSync(this.path)) return new Blob([]).stream();
		return Readable.toWeb(createReadStream(this.path)) as ReadableStream<Uint8Array>;
	}
}
