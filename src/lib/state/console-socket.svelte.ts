/**
 * The browser's one console socket: reconnects with exponential backoff and jitter, and hands
 * every event to the learner state. Created per page tree (pages are server-rendered).
 */
import type { ConsoleEvent } from '$lib/protocol';
import type { LearnerState } from './learner-state.svelte';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 8000;

export class ConsoleSocket {
	private socket: WebSocket | undefined;
	private retryMs = RECONNECT_MIN_MS;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private closed = false;

	constructor(private readonly state: LearnerState) {}

	/** Opens the socket; returns the function that closes it (for $effect). */
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
			this.state.reconnected();
			this.retryMs = RECONNECT_MIN_MS;
		};
		socket.onmessage = (event) => this.state.handle(JSON.parse(event.data as string) as ConsoleEvent);
		socket.onclose = () => {
			this.state.connected = false;
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
