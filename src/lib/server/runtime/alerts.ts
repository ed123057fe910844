/** Alerts the console shows until someone dismisses them. Repeats of an open alert are merged. */
import type { Alert } from '../../protocol/index.ts';

export const MAX_ALERTS = 200;

export class Alerts {
	private nextId = 1;
	readonly open: Alert[] = [];

	raise(kind: Alert['kind'], message: string, actorId?: string): Alert {
		const same = this.open.find((a) => a.kind === kind && a.actorId === actorId);
		if (same) {
			same.message = message;
			same.at = Date.now();
			return same;
		}
		const alert: Alert = { id: this.nextId++, kind, message, at: Date.now(), ...(actorId ? { actorId } : {}) };
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
