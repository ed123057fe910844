/** "Did you mean …?" for a mistyped option name: the closest known name by edit distance. */

/** Levenshtein distance (insert, delete, substitute), case-insensitive. */
export function editDistance(a: string, b: string): number {
	a = a.toLowerCase();
	b = b.toLowerCase();
	let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const row = [i];
		for (let j = 1; j <= b.length; j++) {
			row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		previous = row;
	}
	return previous[b.length];
}

/** The known name nearest to `name`, or undefined when none is plausibly what was meant. */
export function nearest(name: string, known: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of known) {
		const d = editDistance(name, candidate);
		if (d < bestDistance) [best, bestDistance] = [candidate, d];
	}
	// A prefix (`--max-actor` for `--max-actors`) or a few typos; never a wild guess.
	const plausible = best !== undefined && (best.toLowerCase().startsWith(name.toLowerCase()) || bestDistance <= Math.max(2, Math.floor(name.length / 3)));
	return plausible ? best : undefined;
}

/** ` (did you mean "x"?)`, or when nothing is close ` (known: a, b, c)` (or nothing, with listKnown false). */
export function didYouMean(name: string, known: readonly string[], quote = (s: string) => `"${s}"`, listKnown = true): string {
	const near = nearest(name, known);
	return near !== undefined ? ` (did you mean ${quote(near)}?)` : listKnown ? ` (known: ${known.join(', ')})` : '';
}
