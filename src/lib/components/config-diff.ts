/** Run configs side by side: every setting as a dotted path, and which of them differ between runs. */

/** `{ppo: {learningRate: 3e-4, hiddenSizes: [64, 64]}}` → `{"ppo.learningRate": "0.0003", "ppo.hiddenSizes": "[64,64]"}`. */
export function flatten(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
	if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
		for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
	} else out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
	return out;
}

export interface DiffRow {
	key: string;
	/** One per config, '' where a config lacks the setting. */
	values: string[];
	differs: boolean;
}

/** Settings that name the run itself differ by nature and are not a difference worth showing. */
const IDENTITY = new Set(['runId', 'learner.runId']);

/** Every setting of every config, sorted with the differing ones first. */
export function diffRows(configs: readonly unknown[]): DiffRow[] {
	const flat = configs.map((c) => flatten(c));
	const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].filter((k) => !IDENTITY.has(k)).sort();
	const rows = keys.map((key) => {
		const values = flat.map((f) => f[key] ?? '');
		return { key, values, differs: values.some((v) => v !== values[0]) };
	});
	return [...rows.filter((r) => r.differs), ...rows.filter((r) => !r.differs)];
}
