/**
 * Windows' default timer resolution is ~15.6 ms: a 20–100 Hz loop that sleeps with a timer wakes
 * up to 15 ms late (libuv's timers wait on the system tick). `timeBeginPeriod(1)` (winmm) raises it
 * to 1 ms for this process; `timeEndPeriod(1)` gives it back. Raised for a run (and for doctor's
 * timing check), released on every way out: the caller's `finally`, and process 'exit' for the
 * rest (process.exit, an uncaught exception). Windows also drops the request when the process
 * ends, SIGKILL-like ends included. Elsewhere there is nothing to do (timers are fine-grained).
 */
export const TIMER_RESOLUTION_MS = 1;
/** winmm's MMRESULT for success. */
const TIMERR_NOERROR = 0;

export interface TimerApi {
	timeBeginPeriod(ms: number): number;
	timeEndPeriod(ms: number): number;
}

export interface RaisedTimer {
	/** True when timeBeginPeriod succeeded (release() then calls timeEndPeriod once). */
	raised: boolean;
	/** For the log and doctor: "1 ms (timeBeginPeriod)", or why not. */
	detail: string;
	release(): void;
}

/**
 * Raises the timer resolution through `api` (undefined: not Windows, nothing to do). `onExit`
 * registers the backstop release (default: process 'exit'); it is removed again on release.
 */
export function raiseTimerResolution(
	api: TimerApi | undefined,
	onExit: (release: () => void) => () => void = (release) => {
		process.once('exit', release);
		return () => process.off('exit', release);
	}
): RaisedTimer {
	if (!api) return { raised: false, detail: 'system default (not Windows)', release: () => {} };
	const result = api.timeBeginPeriod(TIMER_RESOLUTION_MS);
	if (result !== TIMERR_NOERROR)
		return { raised: false, detail: `timeBeginPeriod(${TIMER_RESOLUTION_MS}) failed (MMRESULT ${result}): ~15.6 ms, expect jitter`, release: () => {} };
	let released = false;
	let unhook = () => {};
	const release = () => {
		if (released) return;
		released = true;
		unhook();
		api.timeEndPeriod(TIMER_RESOLUTION_MS);
	};
	unhook = onExit(release);
	return { raised: true, detail: `${TIMER_RESOLUTION_MS} ms (timeBeginPeriod)`, release };
}

/** The timer resolution raised on this machine: winmm on Windows, nothing elsewhere. */
export async function raiseSystemTimerResolution(): Promise<RaisedTimer> {
	if (process.platform !== 'win32') return raiseTimerResolution(undefined);
	try {
		const { winmm } = await import('../sources/win32.ts');
		return raiseTimerResolution(winmm());
	} catch (error) {
		return { raised: false, detail: `winmm not available (${(error as Error).message}): ~15.6 ms, expect jitter`, release: () => {} };
	}
}
