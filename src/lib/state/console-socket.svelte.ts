/**
 * The browser's one console socket: reconnects with exponential backoff and jitter, and hands
 * every event to the learner state. Created per page tree (pages are server-rendered) and handed
 * out through context, so controls can ask whether they may act yet (`ready`).
 */
import { getContext, setContext } from 'svelte';
import type { ConsoleEvent } from '$lib/protocol';
import type { LearnerState } from './learner-state.svelte';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 8000;

/**
 * - `loading`: server-rendered or not hydrated yet (no client code runs, handlers not attached)
 * - `connecting`: mounted, first connection under way
 * - `syncing`: socket open, the learner's first status not in yet
 * - `connected`: open and the state is current: controls may act
 * - `reconnecting`: the socket dropped; a new one is under way (with backoff)
 */
export type LinkState = 'loading' | 'connecting' | 'syncing' | 'connected' | 'reconnecting';

export const LINK_TEXT: Record<LinkState, string> = {
	loading: 'loading…',
	connecting: 'connecting…',
	syncing: 'connecting…',
	connected: 'connected',
	reconnecting: 'connection lost, reconnecting…'
};

export class ConsoleSocket {
	link = $state<LinkState>('loading');
	/** True once the client has mounted, the socket is open and the first status arrived. */
	readonly ready = $derived(this.link === 'connected');
	private socket: WebSocket | undefined;
	private retryMs = RECONNECT_MIN_MS;
	private timer: ReturnType<typeof setTimeout> | undefined;
	private closed = true;

	constructor(private readonly state: LearnerState) {}

	/** Opens the socket (client only: call it from $effect); returns the function that closes it. */
	connect(): () => void {
		this.closed = false;
		this.retryMs = RECONNECT_MIN_MS;
		this.link = 'connecting';
		this.open();
		return () => this.close();
	}

	private open(): void {
		const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/console`);
		this.socket = socket;
		socket.onopen = () => {
			if (this.socket !== socket) return;
			this.state.reconnected();
			this.link = 'syncing';
			this.retryMs = RECONNECT_MIN_MS;
		};
		socket.onmessage = (message) => {
			if (this.socket !== socket) return;
			const event = JSON.parse(message.data as string) as ConsoleEvent;
			this.state.handle(event);
			if (event.type === 'status' && this.link === 'syncing') this.link = 'connected';
		};
		socket.onclose = () => {
			if (this.socket !== socket) return;
			this.socket = undefined;
			if (this.closed) return;
			this.link = 'reconnecting';
			this.timer = setTimeout(() => this.open(), this.retryMs * (0.5 + Math.random()));
			this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
		};
	}

	private close(): void {
		this.closed = true;
		clearTimeout(this.timer);
		const socket = this.socket;
		this.socket = undefined;
		socket?.close();
		this.link = 'loading';
	}
}

const KEY = Symbol('pitwall.console-socket');

export function provideConsoleSocket(state: LearnerState): ConsoleSocket {
	return setContext(KEY, new ConsoleSocket(state));
}

export function consoleSocket(): ConsoleSocket {
	return getContext<ConsoleSocket>(KEY);
}
