/**
 * Alerts the console shows until someone dismisses them. Repeats of an open alert are merged; a
 * new one is also logged as a warning.
 */
import type { Alert } from '../../protocol/index.ts';
import type { Log } from '../log.ts';
import { systemClock, type Clock } from './clock.ts';

export const MAX_ALERTS = 200;

export class Alerts {
	private nextId = 1;
	readonly open: Alert[] = [];

	constructor(
		private readonly clock: Clock = systemClock,
		private readonly log?: Log
	) {}

	raise(kind: Alert['kind'], message: string, actorId?: string): Alert {
		const same = this.open.find((a) => a.kind === kind && a.actorId === actorId);
		if (same) {
			same.message = message;
			same.at = this.clock.now();
			return same;
		}
		const alert: Alert = { id: this.nextId++, kind, message, at: this.clock.now(), ...(actorId ? { actorId } : {}) };
		this.log?.warn({ alert: kind, actorId }, message);
		this.open.push(alert);
		if (this.open.length > MAX_ALERTS) this.open.shift();
		return alert;
	}

	dismiss(id: number): boolean {
		const index = this.open.findIndex((a) => a.id === id);
		if (index < 0) return false;
		this.open.splice(index, 1);
		return true;
	}
}
