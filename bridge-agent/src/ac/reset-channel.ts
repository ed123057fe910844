/**
 * The agent's side of the in-game reset app (bridge-agent/ac-app/pitwall_reset): two small files
 * in Documents/Assetto Corsa/pitwall/. The agent writes `reset-request` = "<seq>"; the app, which
 * checks it every frame, calls CSP's ac.ext_resetCar() and writes `reset-response` = "<seq> ok" or
 * "<seq> error <why>". A response with another seq is an old one: the app did not answer (yet).
 *
 * The response is polled by its size and modification time, and opened only when they change: on
 * Windows an open file cannot be replaced (Node opens without FILE_SHARE_DELETE), so reading it
 * every poll made the app's replace of an existing response fail (seen under Wine: the answer
 * stayed in reset-response.tmp and every reset after the first timed out). The same holds the
 * other way: the app reads the request each time it changes, so the agent's replace of it is
 * tried again for a moment before the reset is reported as not asked.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { documentsFolder } from '../sources/win32.ts';

export const REQUEST_FILE = 'reset-request';
export const RESPONSE_FILE = 'reset-response';
/** How long the app has to answer: it polls every rendered frame, so a few frames are plenty. */
export const ANSWER_WAIT_MS = 1500;
/** How long the agent keeps trying to replace a request the app has open (it reads it in ~1 ms). */
export const REPLACE_WAIT_MS = 250;
/** What Windows says when a file another process has open cannot be replaced. */
const FILE_IN_USE = new Set(['EPERM', 'EACCES', 'EBUSY']);

/**
 * Where AC keeps its user files (Documents\Assetto Corsa) — the app's pitwall folder in it. On
 * Windows the shell's Documents folder, as AC and the app find it (SHGetFolderPathW: it may have
 * been moved, e.g. to OneDrive); elsewhere, or if that fails, Documents in the home folder.
 */
export function defaultResetDir(env: NodeJS.ProcessEnv = process.env, documents: () => string | undefined = shellDocuments): string {
	return join(documents() ?? join(env.USERPROFILE || homedir(), 'Documents'), 'Assetto Corsa', 'pitwall');
}

function shellDocuments(): string | undefined {
	if (process.platform !== 'win32') return undefined;
	try {
		return documentsFolder();
	} catch {
		return undefined; // koffi missing: the home folder's Documents
	}
}

export type ResetAnswer = { answered: false; detail: string } | { answered: true; ok: boolean; detail: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ResetChannel {
	private seq: number;
	/** The response file's identity, size and mtime when it was last read, and what it said. */
	private seen: { stamp: string; text: string | undefined } | undefined;

	constructor(
		readonly dir: string = defaultResetDir(),
		private readonly rename: (from: string, to: string) => void = renameSync
	) {
		this.seq = Math.max(this.readSeq(REQUEST_FILE) ?? 0, this.readSeq(RESPONSE_FILE) ?? 0);
	}

	get requestPath(): string {
		return join(this.dir, REQUEST_FILE);
	}

	private readSeq(file: string): number | undefined {
		const text = this.read(file);
		const seq = text ? Number.parseInt(text, 10) : NaN;
		return Number.isSafeInteger(seq) ? seq : undefined;
	}

	private read(file: string): string | undefined {
		const path = join(this.dir, file);
		try {
			return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
		} catch {
			return undefined; // being replaced right now
		}
	}

	/**
	 * Writes the next request (whole, through a rename); returns its seq. A replace refused because
	 * the app has the old request open is tried again for up to `REPLACE_WAIT_MS`; then it throws.
	 */
	async request(): Promise<number> {
		mkdirSync(this.dir, { recursive: true });
		const seq = ++this.seq;
		const tmp = `${this.requestPath}.tmp`;
		writeFileSync(tmp, `${seq}\n`);
		const deadline = Date.now() + REPLACE_WAIT_MS;
		for (;;) {
			try {
				this.rename(tmp, this.requestPath);
				return seq;
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code ?? '';
				if (!FILE_IN_USE.has(code) || Date.now() >= deadline)
					throw new Error(
						`could not write ${this.requestPath}: ${code || (error as Error).message}${FILE_IN_USE.has(code) ? ` (another process kept it open for ${REPLACE_WAIT_MS} ms)` : ''}`
					);
			}
			await sleep(10);
		}
	}

	/** The response's text, read again only when the file, its size or its modification time changed. */
	private response(): string | undefined {
		const stat = statSync(join(this.dir, RESPONSE_FILE), { throwIfNoEntry: false });
		if (!stat) return undefined;
		const stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
		if (this.seen?.stamp !== stamp) this.seen = { stamp, text: this.read(RESPONSE_FILE) };
		return this.seen.text;
	}

	/** The app's answer to `seq`, if it has written one. */
	answer(seq: number): ResetAnswer | undefined {
		const text = this.response();
		const match = text ? /^(\d+)\s+(ok|error)\s*(.*)$/s.exec(text) : null;
		if (!match || Number(match[1]) !== seq) return undefined;
		return { answered: true, ok: match[2] === 'ok', detail: match[2] === 'ok' ? 'ac.ext_resetCar() called' : match[3] || 'error' };
	}

	/** One request, and the app's answer within `waitMs`. */
	async ask(waitMs = ANSWER_WAIT_MS): Promise<ResetAnswer> {
		let seq: number;
		try {
			seq = await this.request();
		} catch (error) {
			return { answered: false, detail: (error as Error).message };
		}
		const deadline = Date.now() + waitMs;
		for (;;) {
			const answer = this.answer(seq);
			if (answer) return answer;
			if (Date.now() >= deadline)
				return {
					answered: false,
					detail: `no answer to ${this.requestPath} within ${waitMs} ms: the pitwall_reset app is not installed in assettocorsa/apps/python or not enabled`
				};
			await sleep(20);
		}
	}
}
