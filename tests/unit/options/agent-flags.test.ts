/** The agent's flags: one set per command, typed values, messages naming the flag, --help from the sets. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { COMMON_OPTIONS, RECORD_SETS, RUN_OPTIONS, RUN_SETS, SIM_HOST_OPTIONS, flagText } from '../../../bridge-agent/src/args.ts';
import { DEFAULT_REWARD, REWARD_OPTIONS } from '../../../bridge-agent/src/rl/reward.ts';
import { parseFlags } from '../../../src/lib/options/argv.ts';
import { OptionsError, helpText } from '../../../src/lib/options/index.ts';
import { DEFAULT_LIMITS } from '../../../src/lib/protocol/limits.ts';

const run = (argv: string[], env: Record<string, string> = {}) => {
	const parsed = parseFlags(argv, env, RUN_SETS);
	assert.ok(!parsed.help);
	return parsed.values;
};
const refused = (argv: string[]): string => {
	try {
		run(argv);
	} catch (error) {
		assert.ok(error instanceof OptionsError, String(error));
		return error.message;
	}
	assert.fail(`${argv.join(' ')} was accepted`);
};

describe('agent flags', () => {
	it('parse into typed values with the old defaults', () => {
		const [common, o] = run([]);
		assert.equal(common.learner, 'ws://127.0.0.1:3000/ws/actor');
		assert.equal(common.source, 'sim');
		assert.equal(common.logJson, false);
		assert.equal(o.controlHz, 20);
		assert.equal(o.timeScale, 1);
		assert.equal(o.episodeSeconds, DEFAULT_REWARD.maxEpisodeSec);
		assert.equal(RUN_OPTIONS.options.episodeSeconds.schema, REWARD_OPTIONS.options.maxEpisodeSec.schema, 'one declaration: the reward setting');
		assert.deepEqual(o.reward, {});
		assert.equal(o.id, undefined);
	});

	it('reads the token from PITWALL_ACTOR_TOKEN, the flag winning', () => {
		assert.equal(run([], { PITWALL_ACTOR_TOKEN: 'env' })[0].token, 'env');
		assert.equal(run(['--token', 'flag'], { PITWALL_ACTOR_TOKEN: 'env' })[0].token, 'flag');
	});

	it('takes the flags sim-actors passes', () => {
		const [common, o] = run([
			'--source',
			'sim',
			'--track',
			'oval',
			'--learner',
			'ws://127.0.0.1:1/ws/actor',
			'--time-scale',
			'max',
			'--columns',
			'raw',
			'--name',
			'sim-1',
			'--seed',
			'1',
			'--steps-per-policy',
			'512',
			'--log-level',
			'warn',
			'--reward',
			'{"tyreOutPenalty":0.2}'
		]);
		assert.equal(o.timeScale, Infinity);
		assert.deepEqual([common.track, o.columns, o.name, o.stepsPerPolicy, common.logLevel], ['oval', 'raw', 'sim-1', 512, 'warn']);
		assert.deepEqual(o.reward, { tyreOutPenalty: 0.2 });
	});

	it('refuse bad values naming the flag', () => {
		assert.equal(refused(['--control-hz', 'fast']), '--control-hz must be in [1, 1000], got "fast"');
		assert.equal(
			refused(['--batch-steps', String(DEFAULT_LIMITS.maxBatchSteps + 1)]),
			`--batch-steps must be an integer in [1, ${DEFAULT_LIMITS.maxBatchSteps}], got ${DEFAULT_LIMITS.maxBatchSteps + 1}`
		);
		assert.equal(refused(['--time-scale', '0']), '--time-scale must be in [0.01, 1000] or max, got 0');
		assert.equal(refused(['--learner', 'http://x']), '--learner must be ws:// or wss:// URLs, comma-separated, got "http://x"');
		assert.equal(
			refused(['--reward', '{"bonus":1}']),
			'--reward: unknown reward setting "bonus" (known: progressScale, tyreOutPenalty, harshInputPenalty, crashPenalty, stuckPenalty, offTrackSec, stuckSec, wrongWaySec, maxEpisodeSec)'
		);
		assert.equal(refused(['--reward', '{"stuckSec":-1}']), '--reward: reward setting stuckSec must be a non-negative number, got -1');
		assert.equal(refused(['--max-step', '5']), 'unknown option --max-step (did you mean --max-steps?)');
		assert.equal(refused(['--episode-seconds', '0']), '--episode-seconds must be a positive number, got 0');
	});

	it('hand worlds.ts and doctor.ts the flags as text', () => {
		const text = flagText(RUN_SETS, run(['--source', 'shm', '--shm-prefix', 'p', '--vjoy-device', '2']));
		assert.equal(text.source, 'shm');
		assert.equal(text['shm-prefix'], 'p');
		assert.equal(text['vjoy-device'], '2');
		assert.equal(text.line, 'track-line.json');
		assert.equal(text['time-scale'], '1');
	});

	it('each command has distinct flags, and --help lists all of them', () => {
		for (const sets of [RUN_SETS, RECORD_SETS, [COMMON_OPTIONS], [SIM_HOST_OPTIONS]]) {
			assert.ok(!parseFlags([], {}, sets).help);
			const help = helpText('usage', sets);
			for (const set of sets) for (const key of set.keys) assert.match(help, new RegExp(`--${set.flagOf(key)}\\b.*\\[default `), key);
		}
		assert.match(helpText('usage', RUN_SETS), /Reward and episode settings \(keys of --reward JSON\):\n {2}progressScale/);
	});
});

describe('bridge-agent', () => {
	const agent = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bridge-agent/src/cli.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

	it('--help prints every run option and exits 0; unknown flags exit 2 naming the nearest', () => {
		const help = agent(['--help']);
		assert.equal(help.status, 0, help.stderr);
		assert.match(help.stdout, /--steps-per-policy N +with --time-scale max/);
		assert.match(help.stdout, /--token TEXT +actor token \[default none; env PITWALL_ACTOR_TOKEN\]/);
		const unknown = agent(['run', '--contrl-hz', '30']);
		assert.equal(unknown.status, 2);
		assert.match(unknown.stderr, /bridge-agent: unknown option --contrl-hz \(did you mean --control-hz\?\)/);
		const command = agent(['srun']);
		assert.equal(command.status, 2);
		assert.match(command.stderr, /unknown command "srun" \(did you mean "run"\?\)/);
	});
});
