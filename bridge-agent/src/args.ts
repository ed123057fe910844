/**
 * The agent's flags, declared once per command (src/lib/options): their types, defaults, checks,
 * `--help` and the tables in docs/operations.md come from these sets. cli.ts parses them with
 * node:util parseArgs (strict): unknown flags and bad values exit 2 naming the flag.
 */
import { hostname } from 'node:os';
import { OptionsError, bool, choice, custom, defineOptions, int, json, num, numberText, str, strings, type OptionSet } from '../../src/lib/options/index.ts';
import { DEFAULT_LIMITS } from '../../src/lib/protocol/index.ts';
import { RESET_METHODS } from './ac/reset.ts';
import { SMOOTHING_PRESETS } from './control/smoothing.ts';
import { REWARD_OPTIONS } from './rl/reward.ts';
import { TRACKS } from './driving/track.ts';
import { DEFAULT_SHM_DIR } from './sources/file-mapper.ts';
import { BUTTON_NAMES } from './sinks/vjoy-sink.ts';

/** A bad command line: exit code 2. */
export { OptionsError as UsageError };

const track = choice('sim track', Object.keys(TRACKS), 'mixed');
const shmDir = str('shm: where sim-host publishes its pages', DEFAULT_SHM_DIR, { defaultDoc: '/dev/shm, else the temp dir' });
const shmPrefix = str('shm: page file prefix', 'pitwall-ac');
const logLevel = choice('log level', ['debug', 'info', 'warn', 'error'], 'info');
const logJson = bool('JSON log lines');
const exitWithParent = bool('exit when stdin closes (the parent that started this agent died)');
const isUrls = (x: unknown): x is string => typeof x === 'string' && x.split(',').every((url) => /^wss?:\/\/[^\s,]+$/.test(url.trim()));

/** `--learner`'s URLs, in the order they are tried. */
export const learnerUrls = (learner: string): string[] => learner.split(',').map((url) => url.trim());
const isScale = (x: unknown): x is number => x === Infinity || (typeof x === 'number' && x >= 0.01 && x <= 1000);

/** run, doctor and record-line. */
export const COMMON_OPTIONS = defineOptions(
	{
		learner: custom(
			'string',
			'learner (or gateway) WebSocket URL; several, comma-separated, are tried in turn: a lost connection fails over to the next',
			'ws://127.0.0.1:3000/ws/actor',
			'ws:// or wss:// URLs, comma-separated',
			isUrls
		),
		token: str('actor token', '', { env: 'PITWALL_ACTOR_TOKEN', defaultDoc: 'none' }),
		source: choice('telemetry source: the in-process sim, Assetto Corsa, or a sim-host process through shared memory', ['sim', 'ac', 'shm'], 'sim'),
		track,
		start: choice('sim episodes start at the line, or at random points along the track (learns every corner sooner)', ['random', 'line'], 'random'),
		line: str('AC: the track line recorded with record-line', 'track-line.json'),
		shmDir,
		shmPrefix,
		vjoyDevice: int('vJoy device number (AC)', 1, { max: 16 }),
		vjoyDll: str('AC: path of vJoyInterface.dll', '', { defaultDoc: "vJoy's registry entry (DllX64Location), then %ProgramFiles%\\vJoy\\x64" }),
		reset: choice(
			'AC: how to reset the car — csp: the in-game app pitwall_reset (ac.ext_resetCar, needs Custom Shaders Patch); buttons: vJoy 7 restart race + 9 start race; auto: csp when the app answers, else buttons',
			[...RESET_METHODS],
			'auto'
		),
		resetDir: str('AC: the folder the in-game reset app watches', '', { defaultDoc: "the shell's Documents folder\\Assetto Corsa\\pitwall" }),
		logLevel,
		logJson
	},
	{ title: 'Common (run, doctor, record-line)', noun: 'option' }
);

export const RUN_OPTIONS = defineOptions(
	{
		mode: choice('local inference, or remote chunked control from the learner', ['local', 'remote'], 'local'),
		controlHz: num('control rate, Hz', 20, { min: 1, max: 1000 }),
		smoothing: choice('action smoothing preset', Object.keys(SMOOTHING_PRESETS), 'moderate'),
		batchSteps: int('steps per transition batch', 256, { max: DEFAULT_LIMITS.maxBatchSteps }),
		bufferLimit: int('steps kept until the learner has them in a checkpoint (the oldest dropped beyond it)', 100_000, { min: 1 }),
		learnerTimeoutMs: int('reconnect when nothing came from the learner for this long, ms (it PINGs every heartbeat)', 10_000, { min: 500 }),
		columns: choice('column coding: compact (WAN) or raw (LAN, less CPU)', ['compact', 'raw'], 'compact'),
		name: str('actor name shown in the console', () => `${hostname()}-${process.pid}`, { defaultDoc: 'host name-pid' }),
		id: str('stable actor id (resume key)', undefined, { defaultDoc: 'the name' }),
		timeScale: custom('number', 'sim speed: a factor of real time, or max', 1, 'in [0.01, 1000] or max', isScale, {
			fromText: (t) => (t === 'max' ? Infinity : numberText(t))
		}),
		seed: int('seed for the sim and action sampling', 1, { min: 0 }),
		maxSteps: int('stop after recording this many steps (0 = run until stopped)', 0, { min: 0 }),
		stepsPerPolicy: int('with --time-scale max: steps per policy version before waiting for new weights (0 = never wait)', 1024, { min: 0 }),
		episodeSeconds: { ...REWARD_OPTIONS.options.maxEpisodeSec, doc: 'episode time limit, s (truncation): the reward setting maxEpisodeSec' },
		reward: json('reward and episode-end overrides as JSON (keys below; docs/driving.md)', REWARD_OPTIONS, { example: '{"tyreOutPenalty":0.1}' }),
		exitWithParent,
		noSupervisor: bool(
			'AC: drive in this process alone — without the supervisor process that sets vJoy neutral and relinquishes it when the control process dies (crash, kill)'
		)
	},
	{ title: 'run', noun: 'option' }
);

export const DOCTOR_OPTIONS = defineOptions(
	{
		controlHz: { ...RUN_OPTIONS.options.controlHz, doc: 'the control rate to check the timers against (as run --control-hz)' },
		timingSeconds: num('how long to measure the control rate and jitter, s (0 = skip)', 3, { min: 0, max: 60 })
	},
	{ title: 'doctor', noun: 'option' }
);

/** The buttons the agent presses or may press (`--button all`). */
export const AGENT_BUTTONS = Object.keys(BUTTON_NAMES).map(Number);
const isButtons = (x: unknown): x is number[] => Array.isArray(x) && x.every((b) => Number.isSafeInteger(b) && b >= 1 && b <= 32);

export const VJOY_TEST_OPTIONS = defineOptions(
	{
		vjoyDevice: COMMON_OPTIONS.options.vjoyDevice,
		vjoyDll: COMMON_OPTIONS.options.vjoyDll,
		axis: strings('the axes to move, in the order given', undefined, {
			choices: ['steer', 'throttle', 'brake', 'clutch'],
			defaultDoc: 'steer,throttle,brake,clutch'
		}),
		button: custom(
			'list',
			`press these buttons one at a time instead of moving the axes; all = the agent's (${AGENT_BUTTONS.map((b) => `${b} ${BUTTON_NAMES[b]}`).join(', ')})`,
			() => [],
			'button numbers 1…32, comma-separated, or all',
			isButtons,
			{ fromText: (t) => (t.trim() === 'all' ? AGENT_BUTTONS : t.split(',').map((b) => numberText(b.trim()))), defaultDoc: 'none' }
		),
		sweepSeconds: num('time for one axis to go from neutral to full and back, s', 4, { min: 0.2, max: 60 }),
		pauseSeconds: num('pause before each axis or button (click its binding in AC meanwhile), s', 3, { min: 0, max: 60 }),
		pressMs: int('how long each button is held, ms', 500, { min: 10, max: 10_000 })
	},
	{ title: 'vjoy-test', noun: 'option' }
);

export const RECORD_OPTIONS = defineOptions(
	{
		out: str('where to write the line (JSON)', 'track-line.json'),
		halfWidth: num('half the track width, m (used for off-track in observations)', 6, { min: 1 }),
		maxSeconds: num('give up after this long, s', 600, { min: 1 })
	},
	{ title: 'record-line', noun: 'option' }
);

export const SIM_HOST_OPTIONS = defineOptions(
	{
		track,
		seed: int('seed for the sim', 1, { min: 0 }),
		shmDir: { ...shmDir, doc: 'where to publish the pages' },
		shmPrefix: { ...shmPrefix, doc: 'page file prefix' },
		publishHz: num('pages per simulated second (AC: ≈ 333)', 100, { min: 1, max: 2000 }),
		timeScale: num('simulated seconds per real second', 1, { min: 0.01, max: 100 }),
		exitWithParent,
		logLevel,
		logJson
	},
	{ title: 'sim-host', noun: 'option' }
);

export const RUN_SETS = [COMMON_OPTIONS, RUN_OPTIONS] as const;
export const RECORD_SETS = [COMMON_OPTIONS, RECORD_OPTIONS] as const;

/**
 * Parsed values as `--flag` → text, for the code that still reads flags by name (worlds.ts,
 * doctor.ts). The values were checked already.
 */
export function flagText(sets: readonly OptionSet[], values: readonly object[]): Record<string, string> {
	const text: Record<string, string> = {};
	sets.forEach((set, i) => {
		for (const key of set.keys) {
			const flag = set.flagOf(key);
			const value = (values[i] as Record<string, unknown>)[key];
			if (flag && value !== undefined) text[flag] = typeof value === 'object' ? JSON.stringify(value) : String(value);
		}
	});
	return text;
}

/** A number from flag text in [min, max] (worlds.ts reads --vjoy-device this way). */
export function number(values: Record<string, string>, name: string, min: number, max = Infinity): number {
	const value = Number(values[name]);
	if (!Number.isFinite(value) || value < min || value > max) throw new OptionsError(`--${name} must be a number in [${min}, ${max}], got "${values[name]}"`);
	return value;
}
