/**
 * Rewrites the option tables in docs/operations.md from the option sets (between
 * `<!-- options:NAME -->` markers): `npx tsx scripts/options-doc.ts`. tests/unit/options/docs.test.ts
 * fails when the file is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMON_OPTIONS, DOCTOR_OPTIONS, RECORD_OPTIONS, RUN_OPTIONS, SIM_HOST_OPTIONS, VJOY_TEST_OPTIONS } from '../bridge-agent/src/args.ts';
import { REWARD_OPTIONS } from '../bridge-agent/src/rl/reward.ts';
import { flagTable, keyTable, replaceSection } from '../src/lib/options/index.ts';
import { PPO_OPTIONS } from '../src/lib/ppo/config.ts';
import { PPO_PRESETS } from '../src/lib/ppo/presets.ts';
import { LIMIT_OPTIONS } from '../src/lib/protocol/limits.ts';
import { LEARNER_OPTIONS, SERVER_OPTIONS } from '../src/lib/server/config.ts';
import { BUS_OPTIONS } from '../src/lib/bus/options.ts';
import { GATEWAY_OPTIONS } from '../src/lib/gateway/config.ts';

export const OPERATIONS_MD = fileURLToPath(new URL('../docs/operations.md', import.meta.url));

function presetTable(): string {
	const rows = ['| preset | applies when the action is | sets, unless `--ppo` does |', '|---|---|---|'];
	for (const preset of PPO_PRESETS) {
		const names = Object.keys(preset.actionMeans);
		const settings = Object.entries(preset.ppo).map(([key, value]) => `\`${key}\` ${JSON.stringify(value)}`);
		const means = names.map((name) => `${name} ${preset.actionMeans[name]}`).join(', ');
		rows.push(`| ${preset.name} | ${names.join(', ')} (any order) | ${[...settings, `\`initActionMean\` ${means}`].join('; ')} |`);
	}
	return rows.join('\n');
}

export const SECTIONS: Record<string, () => string> = {
	server: () => flagTable([SERVER_OPTIONS, LEARNER_OPTIONS]),
	bus: () => flagTable([BUS_OPTIONS]),
	gateway: () => flagTable([GATEWAY_OPTIONS]),
	limits: () => flagTable([LIMIT_OPTIONS]),
	ppo: () => keyTable(PPO_OPTIONS),
	presets: presetTable,
	'agent-common': () => flagTable([COMMON_OPTIONS]),
	'agent-run': () => flagTable([RUN_OPTIONS]),
	'agent-doctor': () => flagTable([DOCTOR_OPTIONS]),
	'agent-record-line': () => flagTable([RECORD_OPTIONS]),
	'agent-vjoy-test': () => flagTable([VJOY_TEST_OPTIONS]),
	'agent-sim-host': () => flagTable([SIM_HOST_OPTIONS]),
	reward: () => keyTable(REWARD_OPTIONS)
};

/** The markdown with every section's table regenerated. */
export function renderOptionDocs(markdown: string): string {
	return Object.entries(SECTIONS).reduce((text, [name, table]) => replaceSection(text, name, table()), markdown);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const before = readFileSync(OPERATIONS_MD, 'utf8');
	const after = renderOptionDocs(before);
	if (after !== before) writeFileSync(OPERATIONS_MD, after);
	console.log(after === before ? 'docs/operations.md is up to date' : 'docs/operations.md rewritten');
}
