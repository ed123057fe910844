/** Number and time formatting for the console. */
export function compact(value: number | null | undefined, digits = 1): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '–';
	const abs = Math.abs(value);
	if (abs >= 1e9) return `${(value / 1e9).toFixed(digits)} G`;
	if (abs >= 1e6) return `${(value / 1e6).toFixed(digits)} M`;
	if (abs >= 1e4) return `${(value / 1e3).toFixed(digits)} k`;
	if (abs >= 100 || Number.isInteger(value)) return value.toFixed(0);
	return value.toPrecision(3);
}

export function duration(seconds: number): string {
	const s = Math.floor(seconds);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

export function lapTime(ms: number | null | undefined): string {
	if (!ms) return '–';
	const m = Math.floor(ms / 60000);
	const s = ((ms % 60000) / 1000).toFixed(3).padStart(6, '0');
	return `${m}:${s}`;
}

export function ago(timestamp: number, now = Date.now()): string {
	const s = Math.max(0, (now - timestamp) / 1000);
	return s < 2 ? 'now' : s < 120 ? `${s.toFixed(0)} s ago` : `${(s / 60).toFixed(0)} min ago`;
}

export function bytes(n: number): string {
	return n >= 2 ** 30
		? `${(n / 2 ** 30).toFixed(1)} GB`
		: n >= 2 ** 20
			? `${(n / 2 ** 20).toFixed(1)} MB`
			: n >= 1024
				? `${(n / 1024).toFixed(0)} KB`
				: `${n} B`;
}

/** `/api/status` refusals as one line, the most frequent reason first: "RATE_LIMITED 1.2 k · MALFORMED 400". */
export function refusalSummary(refusals: Record<string, number> | undefined): { total: number; text: string } {
	const entries = Object.entries(refusals ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
	return { total: entries.reduce((sum, [, n]) => sum + n, 0), text: entries.map(([reason, n]) => `${reason} ${compact(n)}`).join(' · ') };
}
