/**
 * The signals that stop a command cleanly (neutral controls, vJoy relinquished). Windows never
 * sends SIGTERM to a console program: closing the console window is SIGHUP, Ctrl-Break SIGBREAK.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/** Calls `stop(signal)` on the first stop signal; returns a function that removes the handlers. */
export function onStopSignal(stop: (signal: string) => void): () => void {
	const handlers = STOP_SIGNALS.map((signal) => [signal, () => stop(signal)] as const);
	for (const [signal, handler] of handlers) process.once(signal, handler);
	return () => {
		for (const [signal, handler] of handlers) process.off(signal, handler);
	};
}
