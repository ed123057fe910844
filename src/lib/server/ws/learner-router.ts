/** The learner's upgrade routes: /ws/actor into the runtime, /ws/console for browsers. */
import type { Runtime } from '../runtime/index.ts';
import { attachConsole } from './console-session.ts';
import { createUpgradeRouter, type UpgradeRouter } from './upgrade-router.ts';

/** `passUnknown`: leave other paths to other listeners (`vite dev`'s HMR socket). */
export function learnerUpgradeRouter(runtime: Runtime, passUnknown: boolean): UpgradeRouter {
	return createUpgradeRouter(runtime, { passUnknown, console: (ws) => attachConsole(ws, runtime) });
}
