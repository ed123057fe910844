/** The options module: schemas, messages, defaults, flags and env, help, tables. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseFlags } from '../../../src/lib/options/argv.ts';
import {
	OptionsError,
	bool,
	choice,
	defineOptions,
	flagTable,
	helpText,
	int,
	json,
	keyTable,
	nearest,
	num,
	nums,
	replaceSection,
	str,
	strings
} from '../../../src/lib/options/index.ts';

const INNER = defineOptions(
	{
		nSteps: int('samples per update', 2048),
		minibatchSize: int('samples per minibatch', 64),
		sizes: nums('layer sizes', [64, 64], { int: true, min: 1, nonEmpty: true })
	},
	{
		title: 'Inner',
		noun: 'inner setting',
		flags: false,
		check: (c) => (c.minibatchSize > c.nSteps ? `minibatchSize (${c.minibatchSize}) must not exceed nSteps (${c.nSteps})` : undefined)
	}
);

let runs = 0;
const OUTER = defineOptions(
	{
		host: str('bind address', '127.0.0.1', { env: 'HOST' }),
		port: int('port', 3000, { min: 0, max: 65535, env: 'PORT' }),
		maxActors: int('most actors', 64),
		rate: num('rate, Hz', 5, { above: 0, max: 1000 }),
		insecure: bool('allow it'),
		track: choice('track', ['oval', 'mixed'], 'mixed'),
		token: str('token', undefined),
		backends: strings('backends', undefined, { flag: 'backend', choices: ['wasm', 'cpu'] }),
		runId: str('run id', () => `run-${++runs}`, { defaultDoc: 'start time' }),
		everyUpdates: int('updates between checkpoints', 10, { flag: 'every-updates', aliases: ['every'] }),
		inner: json('inner overrides', INNER)
	},
	{ title: 'Outer', noun: 'outer option', envPrefix: 'T_' }
);

const message = (fn: () => unknown): string => {
	try {
		fn();
	} catch (error) {
		assert.ok(error instanceof OptionsError, `an OptionsError, got ${error}`);
		assert.equal(error.exitCode, 2);
		return error.message;
	}
	assert.fail('did not throw');
};

describe('nearest', () => {
	it('finds a prefix or a near typo, never a wild guess', () => {
		assert.equal(nearest('max-actor', ['max-actors', 'max-tensors', 'port']), 'max-actors');
		assert.equal(nearest('nStep', ['nSteps', 'seed']), 'nSteps');
		assert.equal(nearest('lerningRate', ['learningRate', 'gamma']), 'learningRate');
		assert.equal(nearest('zzzzzz', ['port', 'host']), undefined);
	});
});

describe('option sets', () => {
	it('fills defaults; a computed default is computed per use, an array default is never shared', () => {
		const a = OUTER.resolve({});
		const b = OUTER.resolve({});
		assert.equal(a.port, 3000);
		assert.equal(a.token, undefined);
		assert.notEqual(a.runId, b.runId);
		const inner = INNER.resolve();
		inner.sizes.push(1);
		assert.deepEqual(INNER.resolve().sizes, [64, 64]);
	});

	it('refuses an unknown key naming the nearest valid one', () => {
		assert.equal(
			message(() => INNER.resolve({ nStep: 1 })),
			'unknown inner setting "nStep" (did you mean "nSteps"?)'
		);
		assert.match(
			message(() => INNER.resolve({ bogus: 1 })),
			/unknown inner setting "bogus" \(known: nSteps, minibatchSize, sizes\)/
		);
		assert.match(
			message(() => INNER.resolve(JSON.parse('{"__proto__":1}'))),
			/unknown inner setting "__proto__"/
		);
	});

	it('says what a valid value is and what it got', () => {
		assert.equal(
			message(() => INNER.resolve({ nSteps: 0 })),
			'inner setting nSteps must be a positive integer, got 0'
		);
		assert.equal(
			message(() => INNER.resolve({ nSteps: 1.5 })),
			'inner setting nSteps must be a positive integer, got 1.5'
		);
		assert.equal(
			message(() => INNER.resolve({ sizes: [64, 'x'] })),
			'inner setting sizes must be a non-empty list of positive integers, got [64,"x"]'
		);
		assert.equal(
			message(() => OUTER.resolve({ rate: Infinity })),
			'outer option rate must be a number > 0 and ≤ 1000, got Infinity'
		);
		assert.equal(
			message(() => INNER.resolve([1])),
			'inner settings must be a JSON object, got [1]'
		);
		assert.equal(
			message(() => INNER.resolve({ minibatchSize: 4096 })),
			'minibatchSize (4096) must not exceed nSteps (2048)'
		);
	});

	it('parses JSON text and names a nested key inside a JSON-valued option', () => {
		assert.deepEqual(INNER.parseJson('{"nSteps":512}'), { nSteps: 512 });
		assert.equal(
			message(() => INNER.parseJson('nope')),
			'inner settings is not JSON: "nope"'
		);
		assert.equal(
			message(() => OUTER.resolve({ inner: { nStep: 1 } })),
			'outer option inner: unknown inner setting "nStep" (did you mean "nSteps"?)'
		);
		assert.equal(
			message(() => OUTER.resolve({ inner: { minibatchSize: 4096 } })),
			'outer option inner: minibatchSize (4096) must not exceed nSteps (2048)'
		);
		assert.equal(
			message(() => OUTER.resolve({ inner: 3 })),
			'outer option inner must be a JSON object, got 3'
		);
	});
});

describe('parseFlags', () => {
	const parse = (argv: string[], env: Record<string, string> = {}) => {
		const parsed = parseFlags(argv, env, [OUTER] as const);
		assert.ok(!parsed.help);
		return parsed.values[0];
	};

	it('takes flags over env over defaults, with derived and explicit env names', () => {
		assert.equal(parse([]).port, 3000);
		assert.equal(parse([], { PORT: '4000' }).port, 4000);
		assert.equal(parse(['--port', '5000'], { PORT: '4000' }).port, 5000);
		assert.equal(parse(['--port=5001']).port, 5001);
		assert.equal(parse([], { T_MAX_ACTORS: '8' }).maxActors, 8);
		assert.equal(parse([], { T_MAX_ACTORS: '' }).maxActors, 64, 'an empty env var is unset');
		assert.equal(parse(['--insecure']).insecure, true);
		assert.equal(parse([], { T_INSECURE: 'true' }).insecure, true);
		assert.deepEqual(parse(['--backend', 'wasm,cpu']).backends, ['wasm', 'cpu']);
		assert.equal(parse(['--every', '3']).everyUpdates, 3, 'an alias');
		assert.deepEqual(parse(['--inner', '{"nSteps":512}']).inner, { nSteps: 512 });
	});

	it('refuses unknown flags naming the nearest, and positionals', () => {
		assert.equal(
			message(() => parse(['--max-actor', '8'])),
			'unknown option --max-actor (did you mean --max-actors?)'
		);
		assert.equal(
			message(() => parse(['--max-actor=8'])),
			'unknown option --max-actor (did you mean --max-actors?)'
		);
		assert.equal(
			message(() => parse(['8'])),
			'unexpected argument "8"'
		);
	});

	it('names the flag or env var of a bad or missing value', () => {
		assert.equal(
			message(() => parse(['--port', 'abc'])),
			'--port must be an integer in [0, 65535], got "abc"'
		);
		assert.equal(
			message(() => parse([], { PORT: '70000' })),
			'PORT must be an integer in [0, 65535], got 70000'
		);
		assert.equal(
			message(() => parse([], { T_INSECURE: 'maybe' })),
			'T_INSECURE must be a boolean, got "maybe"'
		);
		assert.equal(
			message(() => parse(['--port'])),
			'--port needs a value'
		);
		assert.match(
			message(() => parse(['--port', '-1'])),
			/^--port needs a value \(one starting with "-" goes as --port=-…\)$/
		);
		assert.equal(
			message(() => parse(['--insecure=yes'])),
			'--insecure takes no value'
		);
		assert.equal(
			message(() => parse(['--track', 'monza'])),
			'--track must be one of oval, mixed, got "monza"'
		);
		assert.equal(
			message(() => parse(['--backend', 'gpu'])),
			'--backend must be a list of wasm, cpu, got ["gpu"]'
		);
		assert.equal(
			message(() => parse(['--inner', '{"nStep":1}'])),
			'--inner: unknown inner setting "nStep" (did you mean "nSteps"?)'
		);
		assert.equal(
			message(() => parse(['--inner', '{x'])),
			'--inner is not JSON: "{x"'
		);
		assert.equal(
			message(() => parse(['--every', '0'])),
			'--every must be a positive integer, got 0'
		);
	});

	it('answers --help and -h before checking values', () => {
		assert.deepEqual(parseFlags(['--port', 'abc', '--help'], {}, [OUTER]), { help: true });
		assert.deepEqual(parseFlags(['-h'], {}, [OUTER]), { help: true });
	});

	it('refuses a flag declared by two sets', () => {
		const twice = defineOptions({ port: int('again', 1) }, { title: 'Twice', noun: 'option' });
		assert.throws(() => parseFlags([], {}, [OUTER, twice]), /flag --port is declared twice/);
	});
});

describe('help and docs', () => {
	it('help lists every flag with its default and env var, and the keys of JSON-valued flags', () => {
		const text = helpText('Usage: test', [OUTER]);
		for (const key of OUTER.keys) assert.ok(text.includes(`--${OUTER.flagOf(key)}`), key);
		assert.match(text, /--port N +port \[default 3000; env PORT\]/);
		assert.match(text, /--run-id TEXT +run id \[default start time; env T_RUN_ID\]/);
		assert.match(text, /--every-updates N +updates between checkpoints \[default 10; env T_EVERY_UPDATES; or --every\]/);
		assert.match(text, /-h, --help/);
		assert.match(text, /Inner \(keys of --inner JSON\):\n {2}nSteps +samples per update \[default 2048\]/);
	});

	it('tables have one row per option, docs defaults for computed ones', () => {
		const flags = flagTable([OUTER]).split('\n');
		assert.equal(flags.length, 2 + OUTER.keys.length);
		assert.ok(flags.includes('| `--run-id` | `T_RUN_ID` | start time | run id |'));
		assert.ok(flags.includes('| `--track` | `T_TRACK` | mixed | track (`oval`, `mixed`) |'));
		assert.ok(keyTable(INNER).split('\n').includes('| `sizes` | `[64,64]` | layer sizes |'));
	});

	it('replaces only what lies between the markers', () => {
		const doc = 'a\n<!-- options:x -->\nold\n<!-- /options:x -->\nb\n';
		assert.equal(replaceSection(doc, 'x', 'new'), 'a\n<!-- options:x -->\nnew\n<!-- /options:x -->\nb\n');
		assert.throws(() => replaceSection(doc, 'y', 'new'), /markers/);
	});
});

it('the options module is pure (valibot and itself) but for the node-only argv.ts', () => {
	const dir = new URL('../../../src/lib/options/', import.meta.url);
	const offenders: string[] = [];
	for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== 'argv.ts')) {
		const source = readFileSync(new URL(name, dir), 'utf8');
		for (const [, specifier] of source.matchAll(/from\s+['"]([^'"]+)['"]/g))
			if (!specifier.startsWith('./') && specifier !== 'valibot') offenders.push(`${name}: ${specifier}`);
		if (/\b(process|Buffer|require|window|document)\b\s*[.([]/.test(source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''))) offenders.push(`${name}: host global`);
	}
	assert.deepEqual(offenders, []);
});
