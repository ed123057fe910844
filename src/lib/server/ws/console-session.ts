/**
 * One /ws/console connection: status, actor table, new metric points, alerts, and laps and tracks
 * when they changed, pushed at most 4 times a second. A slow browser is skipped (its next push carries everything newer), and metric
 * points are collected per connection so none is lost while skipped.
 */
import type { WebSocket } from 'ws';
import type { ConsoleEvent, MetricPoint } from '../../protocol/index.ts';
import type { Runtime } from '../runtime/index.ts';

export const CONSOLE_PUSH_INTERVAL_MS = 250;
/** Above this many unsent bytes a push is skipped. */
export const CONSOLE_MAX_BUFFERED_BYTES = 512 * 1024;
/** Metric points sent on connect (older ones: /api/metrics). */
export const CONSOLE_INITIAL_POINTS = 20_000;

export function attachConsole(socket: WebSocket, runtime: Runtime): void {
	let pending: MetricPoint[] = runtime.metrics.points.slice(-CONSOLE_INITIAL_POINTS);
	const unsubscribe = runtime.metrics.subscribe((point) => pending.push(point));
	const send = (event: ConsoleEvent) => socket.send(JSON.stringify(event));
	// Laps and tracks go only when they changed since this browser last got them.
	const sent = { laps: -1, tracks: -1 };
	const push = () => {
		if (socket.readyState !== socket.OPEN || socket.bufferedAmount > CONSOLE_MAX_BUFFERED_BYTES) return;
		send({ type: 'status', status: runtime.status() });
		send({ type: 'actors', actors: runtime.actorInfos() });
		send({ type: 'alerts', alerts: runtime.alerts.open });
		const revision = runtime.lapsRevision;
		if (revision.tracks !== sent.tracks) send({ type: 'tracks', tracks: runtime.tracks() });
		if (revision.laps !== sent.laps) send({ type: 'laps', laps: runtime.lapsView() });
		Object.assign(sent, revision);
		if (pending.length) {
			send({ type: 'metrics', points: pending });
			pending = [];
		}
	};
	push();
	const timer = setInterval(push, CONSOLE_PUSH_INTERVAL_MS);
	socket.on('close', () => {
		clearInterval(timer);
		unsubscribe();
	});
	socket.on('error', () => socket.terminate());
}
