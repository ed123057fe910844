/**
 * What screen readers hear about alerts. The learner resends its alert list whenever a message
 * changes ("actor sim-1 silent for 3 s", "… 4 s", at 4 Hz): announcing the list as it stands would
 * re-announce endlessly. So an alert is announced once, when it is raised (role="alert"), with
 * its text at that moment, and its clearing once, politely (role="status"). Ids already seen stay
 * known across reconnects: a resent list raises nothing. Pure TypeScript, no Svelte.
 */
import type { Alert } from '$lib/protocol';

export const ALERT_KIND_TEXT: Record<Alert['kind'], string> = {
	'actor-lost': 'actor lost',
	'non-finite': 'non-finite values',
	'learner-stalled': 'learner stalled',
	'policy-lag': 'policy lag',
	'trainer-error': 'trainer error',
	'run-error': 'run error'
};

export interface Announcement {
	/** Unique per announcement: a new node for the live region (never an old node rewritten). */
	key: number;
	text: string;
}

export interface AlertChanges {
	raised: Announcement[];
	cleared: Announcement[];
}

export class AlertAnnouncer {
	private readonly seen = new Set<number>();
	private active = new Map<number, Alert>();
	private key = 0;

	/** The current list of alerts in; what was raised and what cleared since the last list out. */
	update(alerts: readonly Alert[]): AlertChanges {
		const raised: Announcement[] = [];
		const cleared: Announcement[] = [];
		const next = new Map(alerts.map((a) => [a.id, a]));
		for (const alert of alerts) {
			if (this.seen.has(alert.id)) continue;
			this.seen.add(alert.id);
			raised.push({ key: ++this.key, text: `${ALERT_KIND_TEXT[alert.kind] ?? alert.kind}: ${alert.message}` });
		}
		for (const [id, alert] of this.active) {
			if (!next.has(id)) cleared.push({ key: ++this.key, text: `alert cleared: ${ALERT_KIND_TEXT[alert.kind] ?? alert.kind}` });
		}
		this.active = next;
		return { raised, cleared };
	}
}
