/**
 * `npm run bench` runs every benchmark; `npm run bench -- <name> [...]` runs the named ones.
 * Each prints its figures as one JSON object on its last line and writes bench/results/<name>.json;
 * a run of several ends with one markdown table of all figures and their targets.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { meets, type BenchResult } from './harness.ts';

const BENCHMARKS: Record<string, () => Promise<{ run: () => BenchResult | Promise<BenchResult> }>> = {
	protocol: () => import('./protocol.ts'),
	ppo: () => import('./ppo.ts'),
	ingest: () => import('./ingest.ts'),
	broadcast: () => import('./broadcast.ts'),
	soak: () => import('./soak.ts'),
	agent: () => import('./agent.ts'),
	console: () => import('./console.ts'),
	learn: () => import('./learn.ts'),
	tick: () => import('./tick.ts'),
	'update-rtt': () => import('./update-rtt.ts'),
	chaos: () => import('./chaos.ts'),
	hostile: () => import('./hostile.ts'),
	'limit-lap': () => import('./limit-lap.ts'),
	sac: () => import('./sac.ts'),
	'sac-drive': () => import('./sac-drive.ts'),
	trainer: () => import('./trainer.ts'),
	realtime: () => import('./realtime.ts'),
	bus: () => import('./bus.ts')
};

function table(results: BenchResult[]): string {
	const rows = ['| benchmark | figure | value | target | met |', '|---|---|---|---|---|'];
	for (const result of results) {
		const targets = new Map(result.targets.map((t) => [t.key, t]));
		for (const [key, value] of Object.entries(result.figures)) {
			const target = targets.get(key);
			const met = target ? (meets(value, target) ? 'yes' : '**no**') : '';
			rows.push(`| ${result.name} | ${key} | ${value} | ${target ? `${target.op} ${target.value}` : ''} | ${met} |`);
		}
	}
	return rows.join('\n');
}

async function main(): Promise<void> {
	const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
	const unknown = names.filter((n) => !(n in BENCHMARKS));
	if (unknown.length) {
		console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
		process.exit(2);
	}
	const selected = names.length ? names : Object.keys(BENCHMARKS);
	const results: BenchResult[] = [];
	mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
	for (const [i, name] of selected.entries()) {
		console.error(`[${i + 1}/${selected.length}] ${name} …`);
		const result = await (await BENCHMARKS[name]()).run();
		results.push(result);
		writeFileSync(new URL(`./results/${name}.json`, import.meta.url), JSON.stringify(result, null, 2) + '\n');
		if (selected.length === 1) {
			console.log(table(results));
			console.log(JSON.stringify(result.figures));
		}
	}
	if (selected.length > 1) console.log(table(results));
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
