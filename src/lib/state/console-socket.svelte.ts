/**
 * The browser's one console socket: reconnects with exponential backoff and exposes the latest
 * status as reactive state. Created per page (never at module level: pages are server-rendered).
 */
import type { ConsoleEvent, LearnerStatus } from '$lib/protocol';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 8000;

export class ConsoleSocket {
	status = $state<LearnerStatus | undefined>(undefined);
	connected = $state(false);
	private socket: WebSocket | undefined;
	private retryMs = RECONNECT_MIN_MS;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private closed = false;

	connect(): () => void {
		this.open();
		return () => this.close();
	}

	private open(): void {
		const url = new URL('/ws/console', location.href);
		url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
		const socket = new WebSocket(url);
		this.socket = socket;
		socket.onopen = () => {
			this.connected = true;
			this.retryMs = RECONNECT_MIN_MS;
		};
		socket.onmessage = (event) => {
			const message = JSON.parse(event.data as string) as ConsoleEvent;
			if (message.type === 'status') this.status = message.status;
		};
		socket.onclose = () => {
			this.connected = false;
			if (this.closed) return;
			this.timer = setTimeout(() => this.open(), this.retryMs * (0.5 + Math.random()));
			this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
		};
	}

	private close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		this.socket?.close();
	}
}
