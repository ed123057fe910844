/**
 * `--exit-with-parent`: the parent holds the write end of our stdin pipe and never writes to it;
 * when the parent dies, for any reason (SIGKILL included, on Linux, macOS and Windows), the OS
 * closes that end and stdin ends. Then the agent stops the way it does on SIGTERM, and exits
 * hard if that hangs. No prctl(PR_SET_PDEATHSIG), which only Linux has.
 *
 * Reading the pipe costs no CPU (the loop sleeps in epoll/kqueue/IOCP) and the handle is unref'd:
 * the watch never keeps a finished agent alive.
 */

/** How long a graceful stop may take once the parent is gone before the process exits anyway. */
export const PARENT_GONE_GRACE_MS = 3000;
/** The exit code when the grace ran out. */
export const PARENT_GONE_EXIT_CODE = 1;

export interface ParentWatchOptions {
	/** Default PARENT_GONE_GRACE_MS. */
	graceMs?: number;
	/** Default process.stdin. */
	stdin?: NodeJS.ReadableStream & { unref?: () => void; isTTY?: boolean };
	/** Default process.exit. */
	exit?: (code: number) => void;
	/** What stdin ending means, for the log. Default "stdin closed (the parent died)". */
	reason?: string;
}

/**
 * Calls `stop(reason)` once when stdin ends, closes or fails, then exits with
 * PARENT_GONE_EXIT_CODE after `graceMs` unless the process is gone by then. Returns a function
 * that ends the watch. A terminal on stdin is not watched (it does not close when a parent dies,
 * and reading it from the background would stop the process with SIGTTIN): returns undefined.
 */
export function watchParent(stop: (reason: string) => void, options: ParentWatchOptions = {}): (() => void) | undefined {
	const stdin = options.stdin ?? process.stdin;
	if (stdin.isTTY) return undefined;
	const exit = options.exit ?? ((code: number) => process.exit(code));
	const graceMs = options.graceMs ?? PARENT_GONE_GRACE_MS;
	let fired = false;
	const gone = (reason: string) => {
		if (fired) return;
		fired = true;
		dispose();
		// The parent usually held our stderr too: logging to a closed pipe must not crash the stop.
		for (const stream of [process.stdout, process.stderr]) stream.on('error', ignore);
		setTimeout(() => exit(PARENT_GONE_EXIT_CODE), graceMs).unref();
		stop(reason);
	};
	const onEnd = () => gone(options.reason ?? 'stdin closed (the parent died)');
	const onError = (error: Error) => gone(`stdin failed (the parent died?): ${error.message}`);
	const dispose = () => {
		stdin.off('end', onEnd);
		stdin.off('close', onEnd);
		stdin.off('error', onError);
		stdin.off('data', ignore);
		stdin.pause();
	};
	stdin.on('end', onEnd);
	stdin.on('close', onEnd);
	stdin.on('error', onError);
	stdin.on('data', ignore); // nothing should come; whatever does is dropped, not buffered
	stdin.unref?.(); // a pipe (net.Socket): waiting on it alone does not keep the process alive
	return () => {
		if (!fired) dispose();
	};
}

function ignore(): void {}
