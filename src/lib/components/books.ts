/**
 * The transition books as the console shows them (see runtime/ledger.ts on the server):
 *
 *   received = trained + dropped + held, where dropped = stale + overflow + rejected
 *
 * `refused` steps were never stored, so they are not part of `received`; resent and skipped are
 * counted in batches, not steps.
 */
import type { TransitionCounts } from '$lib/protocol';
import { compact } from './format';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An exact count with thousands separators ("1,234,567"); books are not rounded. */
export function exact(n: number | null | undefined): string {
	return n === null || n === undefined || !Number.isFinite(n) ? '–' : GROUPED.format(n);
}

/** `trained / received` for a narrow table cell ("23.6k / 24.1k", thin spaces). */
export function trainedOfReceived(t: TransitionCounts): string {
	const short = (n: number) => compact(n).replace(' ', '');
	return `${short(t.trained)}\u2009/\u2009${short(t.received)}`;
}

/** Steps dropped after they were received: stale, overflow and rejected (a rolled-back update). */
export function dropped(t: TransitionCounts): number {
	return t.stale + t.overflow + t.rejected;
}

/** `part` as a percentage of `whole` ("97.3 %"), or '' while there is no whole. */
export function share(part: number, whole: number): string {
	if (!whole) return '';
	if (part === whole || part === 0) return `${part === 0 ? 0 : 100} %`;
	const pct = (part / whole) * 100;
	// Never rounded up to 100 % or down to 0 %: some steps went the other way.
	return pct > 99.9 ? '> 99.9 %' : pct < 0.1 ? '< 0.1 %' : `${pct.toFixed(1)} %`;
}

/** Whether the books add up (they always do, `held` being the remainder; shown as `=` or `≠`). */
export function balances(t: TransitionCounts): boolean {
	return t.received === t.trained + dropped(t) + t.held;
}

/** One line for a tooltip: the whole of an actor's books. */
export function summary(t: TransitionCounts): string {
	return [
		`trained ${exact(t.trained)} of ${exact(t.received)} received (${share(t.trained, t.received) || '–'})`,
		`held ${exact(t.held)}`,
		`dropped ${exact(t.stale)} stale, ${exact(t.overflow)} overflow, ${exact(t.rejected)} rejected`,
		`refused ${exact(t.refused)}`,
		`batches resent ${exact(t.resentBatches)}, skipped ${exact(t.skippedBatches)}`
	].join(' · ');
}
