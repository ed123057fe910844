/**
 * `run --source ac` supervises itself: the process the user starts stays small and runs the
 * control loop as its child (the same command with --no-supervisor --exit-with-parent). When the
 * child ends — cleanly, killed (Task Manager, SIGKILL), an uncaught exception, a fatal error —
 * the supervisor acquires the vJoy device, sets every axis neutral, releases every button and
 * relinquishes it, then exits with the child's status. A vJoy device keeps a dead owner's last
 * axes, so without this a crashed agent would leave AC with the throttle held.
 *
 * Stopping goes through the child: a stop signal to the supervisor (on Windows a console's Ctrl-C
 * reaches both) closes the child's stdin, which the child's --exit-with-parent watch takes as a
 * stop (neutral, last steps sent); the supervisor never dies of a signal while its child runs.
 * If the supervisor itself is killed, the child's stdin closes and it stops the same way.
 * `--source sim` and `shm` are not supervised: the in-process car dies with its process, and a
 * sim host treats stale controls as neutral by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Logger } from './log.ts';
import { watchParent } from './parent-watch.ts';
import { STOP_SIGNALS } from './signals.ts';

/** Set for the control process: its stdin closing means the supervisor stopped it (or died). */
export const SUPERVISED_ENV = 'PITWALL_SUPERVISED';

/** How long the supervisor retries a device still busy right after its owner died. */
export const NEUTRALISE_RETRY_MS = 2000;
const RETRY_EVERY_MS = 100;

export interface SuperviseDeps {
	/** Starts the control process. */
	spawn(): Pick<ChildProcess, 'pid' | 'stdin' | 'once'>;
	/** Makes the controls neutral once the control process is gone; says what it did. */
	neutralise(): Promise<string>;
	log: Logger;
	/** Calls `stop(reason)` on every stop request (signals, a dead parent); returns an unsubscribe. */
	onStop(stop: (reason: string) => void): () => void;
}

/** The exit status for a child's (code, signal), as a shell reports it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
	if (code !== null) return code;
	const number = signal ? constants.signals[signal] : undefined;
	return number ? 128 + number : 1;
}

/** Runs the control process to its end, then neutralises; resolves to the child's status. */
export async function supervise(deps: SuperviseDeps): Promise<number> {
	const child = deps.spawn();
	const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
	child.stdin?.on('error', () => {}); // a child that is gone already: nothing to stop
	deps.log.info('supervising the control process', { pid: child.pid });
	const unsubscribe = deps.onStop((reason) => {
		deps.log.info(`${reason}: stopping the control process`, { pid: child.pid });
		child.stdin?.end();
	});
	const [code, signal] = await exited;
	unsubscribe();
	const status = exitStatus(code, signal);
	const result = await deps.neutralise();
	const fields = { pid: child.pid, code, signal, status };
	if (/^not neutralised/.test(result)) deps.log.warn(`control process ended; controls ${result}`, fields);
	else deps.log.info(`control process ended; ${result}`, fields);
	return status;
}

/** The real thing for `run`: this script again as the child, signals and the parent watched. */
export function superviseRun(argv: readonly string[], o: { exitWithParent: boolean; vjoyDll: string; vjoyDevice: number; log: Logger }): Promise<number> {
	const childArgs = [...process.execArgv, process.argv[1], 'run', ...argv, '--no-supervisor'];
	if (!argv.includes('--exit-with-parent')) childArgs.push('--exit-with-parent');
	return supervise({
		spawn: () => spawn(process.execPath, childArgs, { stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, [SUPERVISED_ENV]: '1' } }),
		neutralise: () => neutraliseVJoyDevice(o.vjoyDll, o.vjoyDevice),
		log: o.log,
		onStop: (stop) => {
			// process.on, not once: a second Ctrl-C must not kill the supervisor before it neutralises.
			const handlers = STOP_SIGNALS.map((signal) => [signal, () => stop(signal)] as const);
			for (const [signal, handler] of handlers) process.on(signal, handler);
			const unwatch = o.exitWithParent ? watchParent(stop, { exit: () => {} }) : undefined;
			return () => {
				for (const [signal, handler] of handlers) process.off(signal, handler);
				unwatch?.();
			};
		}
	});
}

/** Loads vJoy (as run finds it) and neutralises the device, retrying while it is still busy. */
async function neutraliseVJoyDevice(vjoyDll: string, id: number): Promise<string> {
	const { findVJoyDll, loadVJoy, neutraliseVJoy } = await import('./sinks/vjoy-sink.ts');
	let api: ReturnType<typeof loadVJoy>;
	try {
		api = loadVJoy(await findVJoyDll(vjoyDll));
	} catch (error) {
		return `not neutralised: ${(error as Error).message}`;
	}
	const VJD_STAT_BUSY = 2;
	const deadline = Date.now() + NEUTRALISE_RETRY_MS;
	while (api.GetVJDStatus(id) === VJD_STAT_BUSY && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, RETRY_EVERY_MS));
	return neutraliseVJoy(api, id);
}
