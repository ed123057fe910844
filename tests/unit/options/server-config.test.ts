/** The learner's flags: every option and limit settable, unknown flags refused, no car in the defaults. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { OptionsError } from '../../../src/lib/options/index.ts';
import { DEFAULT_LIMITS, LIMIT_OPTIONS } from '../../../src/lib/protocol/limits.ts';
import { LEARNER_OPTIONS, SERVER_OPTIONS, defaultTrainerThreads, parseServerArgs, parseServerConfig, serverHelp } from '../../../src/lib/server/config.ts';

const refused = (argv: string[], env: Record<string, string> = {}): string => {
	try {
		parseServerConfig(argv, env);
	} catch (error) {
		assert.ok(error instanceof OptionsError, String(error));
		return error.message;
	}
	assert.fail(`${argv.join(' ')} was accepted`);
};

describe('server config', () => {
	it('defaults: loopback, no tokens, no PPO overrides (nothing tied to the simulated car)', () => {
		const config = parseServerConfig([], {});
		assert.equal(config.host, '127.0.0.1');
		assert.equal(config.port, 3000);
		assert.equal(config.actorToken, undefined);
		assert.deepEqual(config.learner.ppo, {});
		assert.deepEqual(config.limits, DEFAULT_LIMITS);
		assert.equal(config.learner.maxActors, 64);
		assert.match(config.learner.runId, /^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d$/);
	});

	it('--trainer-threads: the cores but one by default (at least 1, at most 4); 0 and fractions are refused', () => {
		assert.equal(parseServerConfig([], {}).learner.trainerThreads, defaultTrainerThreads(availableParallelism()));
		assert.deepEqual([1, 2, 3, 8, 64].map(defaultTrainerThreads), [1, 1, 2, 4, 4]);
		assert.equal(parseServerConfig(['--trainer-threads', '3'], {}).learner.trainerThreads, 3);
		assert.equal(parseServerConfig([], { PITWALL_TRAINER_THREADS: '2' }).learner.trainerThreads, 2);
		assert.match(refused(['--trainer-threads', '0']), /--trainer-threads/);
		assert.match(refused(['--trainer-threads', '1.5']), /--trainer-threads/);
	});

	it('every learner option and every limit has a flag and an env var', () => {
		for (const set of [SERVER_OPTIONS, LEARNER_OPTIONS, LIMIT_OPTIONS]) {
			for (const key of set.keys) {
				assert.ok(set.flagOf(key), `${key} has a flag`);
				assert.ok(set.envOf(key), `${key} has an env var`);
			}
		}
		const config = parseServerConfig(
			[
				'--heartbeat-interval-ms',
				'500',
				'--actor-timeout-ms',
				'4000',
				'--telemetry-hz',
				'2.5',
				'--max-telemetry-per-sec',
				'50',
				'--weights-max-buffered-bytes',
				'65536',
				'--checkpoint-every-sec',
				'60',
				'--stall-alert-ms',
				'30000',
				'--max-frame-bytes',
				'65536',
				'--max-batch-steps',
				'1024'
			],
			{ PITWALL_MAX_ACTION_DIM: '4', PITWALL_RUNS_DIR: '/tmp/r' }
		);
		const l = config.learner;
		assert.deepEqual(
			[l.heartbeatIntervalMs, l.actorTimeoutMs, l.telemetryHz, l.maxTelemetryPerSec, l.weightsMaxBufferedBytes, l.checkpointEverySec, l.stallAlertMs],
			[500, 4000, 2.5, 50, 65536, 60, 30000]
		);
		assert.deepEqual([config.limits.maxFrameBytes, config.limits.maxBatchSteps, config.limits.maxActionDim, l.runsDir], [65536, 1024, 4, '/tmp/r']);
	});

	it('keeps the flags it had (--checkpoint-every, --backend, PITWALL_PPO)', () => {
		const config = parseServerConfig(['--checkpoint-every', '3', '--backend', 'wasm,cpu', '--keep-checkpoints', '2'], { PITWALL_PPO: '{"nSteps":1024}' });
		assert.equal(config.learner.checkpointEveryUpdates, 3);
		assert.deepEqual(config.learner.backends, ['wasm', 'cpu']);
		assert.equal(config.learner.keepCheckpoints, 2);
		assert.deepEqual(config.learner.ppo, { nSteps: 1024 });
	});

	it('refuses unknown flags naming the nearest, and bad values naming the flag', () => {
		assert.equal(refused(['--max-actor', '8']), 'unknown option --max-actor (did you mean --max-actors?)');
		assert.equal(refused(['--max-actors', '0']), '--max-actors must be a positive integer, got 0');
		assert.equal(refused(['--port', '3000x']), '--port must be an integer in [0, 65535], got "3000x"');
		assert.equal(refused([], { PORT: '-1' }), 'PORT must be an integer in [0, 65535], got -1');
		assert.equal(refused(['--ppo', '{"nStep":1}']), '--ppo: unknown PPO setting "nStep" (did you mean "nSteps"?)');
		assert.equal(refused(['--ppo', '{"minibatchSize":4096}']), '--ppo: minibatchSize (4096) must not exceed nSteps (2048)');
		assert.equal(refused(['--track', 'monza']), '--track must be one of oval, mixed, got "monza"');
	});

	it('refuses combinations that cannot work', () => {
		assert.match(refused(['--host', '0.0.0.0']), /refusing to bind 0.0.0.0 without PITWALL_ACTOR_TOKEN/);
		assert.doesNotThrow(() => parseServerConfig(['--host', '0.0.0.0', '--insecure'], {}));
		assert.doesNotThrow(() => parseServerConfig(['--host', '0.0.0.0'], { PITWALL_ACTOR_TOKEN: 'a', PITWALL_CONSOLE_TOKEN: 'b' }));
		assert.equal(refused(['--control-chunk', '600']), '--control-chunk (600) must not exceed --max-control-chunk (512)');
		assert.equal(refused(['--actor-timeout-ms', '1000']), '--actor-timeout-ms (1000) must exceed --heartbeat-interval-ms (1000)');
		assert.equal(refused(['--sim-actors', '9', '--max-actors', '8']), '--sim-actors (9) must not exceed --max-actors (8)');
	});

	it('under vite (argv starting with its command) reads env only', () => {
		assert.equal(parseServerConfig(['dev', '--host', '0.0.0.0'], { PORT: '4100' }).port, 4100);
	});

	it('--help lists every flag with its default and env var', () => {
		assert.deepEqual(parseServerArgs(['--help'], {}), { help: true });
		const text = serverHelp();
		for (const set of [SERVER_OPTIONS, LEARNER_OPTIONS, LIMIT_OPTIONS]) {
			for (const key of set.keys) assert.match(text, new RegExp(`--${set.flagOf(key)}\\b.*\\[default [^\\]]+; env ${set.envOf(key)}[;\\]]`), key);
		}
		assert.match(text, /PPO settings \(keys of --ppo JSON\):/);
	});

	it("the backend default shown is the trainer's preference order", async () => {
		const { BACKEND_PREFERENCE } = await import('../../../src/lib/ppo/backend.ts');
		assert.equal(LEARNER_OPTIONS.options.backends.defaultDoc, BACKEND_PREFERENCE.join(','));
		assert.deepEqual(LEARNER_OPTIONS.options.backends.choices, BACKEND_PREFERENCE);
	});
});

describe('server.ts', () => {
	const server = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server.ts', ...args], { encoding: 'utf8', timeout: 60_000 });

	it('--help prints every option and exits 0; an unknown flag exits 2 naming the nearest', () => {
		const help = server(['--help']);
		assert.equal(help.status, 0, help.stderr);
		assert.match(help.stdout, /--max-frame-bytes N +largest frame/);
		assert.match(help.stdout, /--stall-alert-ms N .*\[default 120000; env PITWALL_STALL_ALERT_MS\]/);
		const unknown = server(['--max-actor', '8']);
		assert.equal(unknown.status, 2);
		assert.match(unknown.stderr, /pitwall: unknown option --max-actor \(did you mean --max-actors\?\)/);
	});
});
