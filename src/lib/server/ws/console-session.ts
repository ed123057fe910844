/** One /ws/console connection: pushes status as JSON; a slow browser only ever gets the newest. */
import type { WebSocket } from 'ws';
import type { ConsoleEvent } from '../../protocol/index.ts';
import type { Runtime } from '../runtime/index.ts';

export const CONSOLE_PUSH_INTERVAL_MS = 250;
/** Above this many unsent bytes a push is skipped (the next one carries fresher data anyway). */
export const CONSOLE_MAX_BUFFERED_BYTES = 256 * 1024;

export function attachConsole(socket: WebSocket, runtime: Runtime): void {
	const push = () => {
		if (socket.readyState !== socket.OPEN || socket.bufferedAmount > CONSOLE_MAX_BUFFERED_BYTES) return;
		const event: ConsoleEvent = { type: 'status', status: runtime.status() };
		socket.send(JSON.stringify(event));
	};
	push();
	const timer = setInterval(push, CONSOLE_PUSH_INTERVAL_MS);
	socket.on('close', () => clearInterval(timer));
	socket.on('error', () => socket.terminate());
	// The console only listens; anything a browser sends is ignored.
}
