/**
 * bridge-agent: drives Assetto Corsa (or the simulated car) with the learner's policy.
 *   bridge-agent [run] [options]   drive and stream transitions (default)
 *   bridge-agent doctor [options]  tell what is wrong before a run
 *   bridge-agent record-line       record the track's centre line from one driven lap (AC)
 *   bridge-agent sim-host          play AC for another process: the sim car's pages in shared memory
 * Exit codes: 0 done, 1 failure, 2 usage, 3 AC not running, 4 refused by the learner.
 */
import { hostname } from 'node:os';
import { MessageType, PROTOCOL_VERSION } from '../../src/lib/protocol/index.ts';
import { Agent } from './agent.ts';
import { UsageError, helpText, number, parseArgs, type OptionSpec } from './args.ts';
import { Stepper } from './control/stepper.ts';
import { SMOOTHING_PRESETS } from './control/smoothing.ts';
import { TRACKS, Track } from './driving/track.ts';
import { LearnerLink } from './link/learner-link.ts';
import { createLogger, type Level } from './log.ts';
import { parseRewardConfig, type RewardConfig } from './rl/reward.ts';
import { driveSpecs } from './rl/spaces.ts';
import { SimWorld } from './sim/sim-world.ts';
import { DEFAULT_SHM_DIR } from './sources/file-mapper.ts';
import { AcNotRunningError } from './sources/page-mapper.ts';
import { makeWorld } from './worlds.ts';

export const AGENT_VERSION = '0.1.0';
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, AC_NOT_RUNNING: 3, REFUSED: 4 } as const;

const COMMON: OptionSpec[] = [
	{ name: 'learner', help: 'learner WebSocket URL', default: 'ws://127.0.0.1:3000/ws/actor' },
	{ name: 'token', help: 'actor token (or PITWALL_ACTOR_TOKEN)', default: process.env.PITWALL_ACTOR_TOKEN ?? '' },
	{ name: 'source', help: 'telemetry source: the in-process sim, Assetto Corsa, or a sim-host process through shared memory', default: 'sim', choices: ['sim', 'ac', 'shm'] },
	{ name: 'track', help: 'sim track', default: 'mixed', choices: Object.keys(TRACKS) },
	{ name: 'start', help: 'sim episodes start at the line, or at random points along the track (learns every corner sooner)', default: 'random', choices: ['random', 'line'] },
	{ name: 'line', help: 'AC: the track line recorded with record-line', default: 'track-line.json' },
	{ name: 'shm-dir', help: 'shm: where sim-host publishes its pages', default: DEFAULT_SHM_DIR },
	{ name: 'shm-prefix', help: 'shm: page file prefix', default: 'pitwall-ac' },
	{ name: 'vjoy-device', help: 'vJoy device number (AC)', default: '1' },
	{ name: 'log-level', help: 'log level', default: 'info', choices: ['debug', 'info', 'warn', 'error'] },
	{ name: 'log-json', help: 'JSON log lines', flag: true },
	{ name: 'help', help: 'this text', flag: true }
];

const RUN: OptionSpec[] = [
	...COMMON,
	{ name: 'mode', help: 'local inference, or remote chunked control from the learner', default: 'local', choices: ['local', 'remote'] },
	{ name: 'control-hz', help: 'control rate', default: '20' },
	{ name: 'smoothing', help: 'action smoothing preset', default: 'moderate', choices: Object.keys(SMOOTHING_PRESETS) },
	{ name: 'batch-steps', help: 'steps per transition batch', default: '256' },
	{ name: 'buffer-limit', help: 'steps kept while the learner is unreachable', default: '100000' },
	{ name: 'columns', help: 'column coding: compact (WAN) or raw (LAN, less CPU)', default: 'compact', choices: ['compact', 'raw'] },
	{ name: 'name', help: 'actor name shown in the console', default: `${hostname()}-${process.pid}` },
	{ name: 'id', help: 'stable actor id (resume key); default derived from --name', default: '' },
	{ name: 'time-scale', help: 'sim speed: a factor of real time, or max', default: '1' },
	{ name: 'seed', help: 'seed for the sim and action sampling', default: '1' },
	{ name: 'max-steps', help: 'stop after recording this many steps (0 = run until stopped)', default: '0' },
	{ name: 'steps-per-policy', help: 'with --time-scale max: steps per policy version before waiting for new weights (0 = never wait)', default: '1024' },
	{ name: 'episode-seconds', help: 'episode time limit (truncation)', default: '300' },
	{ name: 'reward', help: `reward and episode-end overrides as JSON, e.g. '{"tyreOutPenalty":0.1}' (docs/driving.md)`, default: '{}' }
];

function rewardOverrides(json: string): Partial<RewardConfig> {
	try {
		return parseRewardConfig(json);
	} catch (error) {
		throw new UsageError(`--reward: ${(error as Error).message}`);
	}
}

async function run(argv: string[]): Promise<number> {
	const values = parseArgs(argv, RUN);
	if (values.help) {
		process.stdout.write(helpText('bridge-agent run [options]: drive the car with the learner\'s policy and stream transitions', RUN));
		return EXIT.OK;
	}
	const log = createLogger({ level: values['log-level'] as Level, json: values['log-json'] === 'true', name: values.name });
	const controlHz = number(values, 'control-hz', 1, 1000);
	const seed = number(values, 'seed', 0);
	const maxSteps = number(values, 'max-steps', 0);
	const scale = values['time-scale'] === 'max' ? Infinity : number(values, 'time-scale', 0.01, 1000);
	const world = await makeWorld(values, seed);
	const agent = new Agent(world, {
		controlHz,
		mode: values.mode as 'local' | 'remote',
		smoothing: values.smoothing,
		batchSteps: number(values, 'batch-steps', 1, 8192),
		seed,
		reward: { maxEpisodeSec: number(values, 'episode-seconds', 1), ...rewardOverrides(values.reward) },
		stepsPerPolicy: Number.isFinite(scale) ? 0 : number(values, 'steps-per-policy', 0),
		log,
		stepperStats: () => stepper.stats()
	});
	const stepper = new Stepper(Number.isFinite(scale) ? 1000 / controlHz / scale : 0);
	let exitCode: number = EXIT.OK;
	const link = new LearnerLink({
		url: values.learner,
		token: values.token,
		columns: values.columns as 'compact' | 'raw',
		bufferLimitSteps: number(values, 'buffer-limit', 1),
		log,
		hello: {
			type: MessageType.HANDSHAKE,
			protocolVersion: PROTOCOL_VERSION,
			token: values.token,
			actorId: values.id || values.name,
			actorName: values.name,
			mode: values.mode as 'local' | 'remote',
			controlHz,
			...driveSpecs(),
			source: world.kind,
			agentVersion: AGENT_VERSION
		},
		stats: () => agent.stats(),
		onWeights: (update) => {
			const error = agent.loadWeights(update);
			if (error) log.warn('weights refused', { version: update.manifest.policyVersion, error });
			else log.debug('weights loaded', { version: update.manifest.policyVersion });
			return error;
		},
		onControl: (chunk) => agent.onControl(chunk),
		onAccepted: (accept) => {
			agent.setTelemetryHz(accept.telemetryHz);
			agent.onSession();
		},
		onFatal: (code, message) => {
			log.error('learner refused this agent', { code, message });
			exitCode = EXIT.REFUSED;
			stepper.stop();
		}
	});
	agent.link = link;
	link.start();
	const stop = (signal: string) => {
		log.info(`${signal}: stopping`);
		stepper.stop();
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
	log.info('driving', { source: world.kind, track: world.track.name, mode: values.mode, controlHz, timeScale: values['time-scale'], learner: values.learner });
	try {
		await stepper.run(() => (maxSteps > 0 && agent.steps >= maxSteps ? false : agent.tick()));
	} finally {
		agent.stop();
		// Give the link a moment to flush what is buffered.
		const deadline = Date.now() + 2000;
		while (link.bufferedSteps > 0 && link.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		link.close();
		world.close();
		const stats = agent.stats();
		log.info('stopped', { steps: stats.steps, episodes: stats.episodes, neutralActions: stats.neutralActions, bufferedSteps: link.bufferedSteps, droppedSteps: link.droppedSteps, overruns: stats.overruns, rssMb: stats.rssMb });
	}
	return exitCode;
}

async function doctor(argv: string[]): Promise<number> {
	const values = parseArgs(argv, COMMON);
	if (values.help) {
		process.stdout.write(helpText('bridge-agent doctor [options]: check the telemetry source, controls and learner before a run', COMMON));
		return EXIT.OK;
	}
	const { runDoctor } = await import('./doctor.ts');
	return runDoctor(values);
}

const RECORD: OptionSpec[] = [
	...COMMON,
	{ name: 'out', help: 'where to write the line (JSON)', default: 'track-line.json' },
	{ name: 'half-width', help: 'half the track width, m (used for off-track in observations)', default: '6' },
	{ name: 'max-seconds', help: 'give up after this long', default: '600' }
];

async function recordLine(argv: string[]): Promise<number> {
	const values = parseArgs(argv, RECORD);
	if (values.help) {
		process.stdout.write(helpText('bridge-agent record-line [options]: drive one full lap (in AC yourself; in the sim the reference driver drives) and save the centre line', RECORD));
		return EXIT.OK;
	}
	const { LineRecorder, saveLine } = await import('./record-line.ts');
	const { ReferenceDriver } = await import('./sim/reference-driver.ts');
	const world = await makeWorld(values, 1, false);
	const recorder = new LineRecorder();
	const driver = world instanceof SimWorld ? new ReferenceDriver(world.track) : undefined;
	const dt = 0.05;
	process.stderr.write('recording: drive across the start line, one full lap, and across it again\n');
	for (let t = 0; t < number(values, 'max-seconds', 1); t += dt) {
		if (world instanceof SimWorld && driver) {
			const c = world.sim.car;
			world.apply(driver.controls({ x: c.x, y: c.y, yaw: c.yaw, speed: c.speed, distance: world.sim.distance, lateral: world.sim.lateral }));
			world.advance(dt);
		} else await new Promise((resolve) => setTimeout(resolve, dt * 1000));
		if (recorder.feed(world.reader)) {
			saveLine(values.out, { name: world.reader.read().static.track || 'recorded', halfWidth: number(values, 'half-width', 1), points: recorder.points });
			process.stdout.write(`saved ${recorder.points.length} points to ${values.out}\n`);
			world.close();
			return EXIT.OK;
		}
	}
	world.close();
	process.stderr.write(recorder.started ? 'the lap did not finish in time\n' : 'never crossed the start line\n');
	return EXIT.FAILURE;
}

const HOST: OptionSpec[] = [
	{ name: 'track', help: 'sim track', default: 'mixed', choices: Object.keys(TRACKS) },
	{ name: 'seed', help: 'seed for the sim', default: '1' },
	{ name: 'shm-dir', help: 'where to publish the pages', default: DEFAULT_SHM_DIR },
	{ name: 'shm-prefix', help: 'page file prefix', default: 'pitwall-ac' },
	{ name: 'publish-hz', help: 'pages per simulated second (AC: ≈ 333)', default: '100' },
	{ name: 'time-scale', help: 'simulated seconds per real second', default: '1' },
	{ name: 'log-level', help: 'log level', default: 'info', choices: ['debug', 'info', 'warn', 'error'] },
	{ name: 'log-json', help: 'JSON log lines', flag: true },
	{ name: 'help', help: 'this text', flag: true }
];

/** Plays Assetto Corsa for a separate agent process: pages out, joystick in, restart buttons. */
async function simHost(argv: string[]): Promise<number> {
	const values = parseArgs(argv, HOST);
	if (values.help) {
		process.stdout.write(helpText('bridge-agent sim-host [options]: publish the simulated car as AC-layout pages in shared memory for `run --source shm`', HOST));
		return EXIT.OK;
	}
	const log = createLogger({ level: values['log-level'] as Level, json: values['log-json'] === 'true', name: 'sim-host' });
	const { SimHost } = await import('./sim/sim-host.ts');
	const host = new SimHost({
		track: Track.named(values.track),
		seed: number(values, 'seed', 0),
		dir: values['shm-dir'],
		prefix: values['shm-prefix'],
		publishHz: number(values, 'publish-hz', 1, 2000),
		timeScale: number(values, 'time-scale', 0.01, 100)
	});
	const stop = (signal: string) => {
		log.info(`${signal}: stopping`);
		host.stop();
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
	log.info('publishing', { track: values.track, dir: values['shm-dir'], prefix: values['shm-prefix'], publishHz: values['publish-hz'] });
	try {
		await host.run();
	} finally {
		host.close();
		log.info('stopped', { restarts: host.restarts });
	}
	return EXIT.OK;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { run, doctor, 'record-line': recordLine, 'sim-host': simHost };

async function main(): Promise<number> {
	const argv = process.argv.slice(2);
	const command = argv[0] && !argv[0].startsWith('--') ? argv.shift()! : 'run';
	const handler = COMMANDS[command];
	if (!handler) {
		process.stderr.write(`unknown command "${command}" (choose ${Object.keys(COMMANDS).join(', ')})\n`);
		return EXIT.USAGE;
	}
	try {
		return await handler(argv);
	} catch (error) {
		if (error instanceof UsageError) {
			process.stderr.write(`bridge-agent: ${error.message} (see --help)\n`);
			return EXIT.USAGE;
		}
		if (error instanceof AcNotRunningError) {
			process.stderr.write(`bridge-agent: ${error.message}\n`);
			return EXIT.AC_NOT_RUNNING;
		}
		process.stderr.write(`bridge-agent: ${(error as Error)?.stack ?? error}\n`);
		return EXIT.FAILURE;
	}
}

main().then((code) => process.exit(code));
