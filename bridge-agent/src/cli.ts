/**
 * bridge-agent: drives Assetto Corsa (or the simulated car) with the learner's policy.
 *   bridge-agent [run] [options]   drive and stream transitions (default)
 *   bridge-agent doctor [options]  tell what is wrong before a run
 *   bridge-agent record-line       record the track's centre line from one driven lap (AC)
 *   bridge-agent vjoy-test         move the vJoy axes one at a time (or press buttons) to bind them in AC
 *   bridge-agent sim-host          play AC for another process: the sim car's pages in shared memory
 * Exit codes: 0 done, 1 failure, 2 usage, 3 AC not running, 4 refused by the learner.
 */
import { parseFlags } from '../../src/lib/options/argv.ts';
import { didYouMean, helpText } from '../../src/lib/options/index.ts';
import { MessageType, PROTOCOL_VERSION } from '../../src/lib/protocol/index.ts';
import { Agent } from './agent.ts';
import { COMMON_OPTIONS, DOCTOR_OPTIONS, RECORD_SETS, RUN_SETS, SIM_HOST_OPTIONS, UsageError, VJOY_TEST_OPTIONS, flagText, learnerUrls } from './args.ts';
import { Stepper } from './control/stepper.ts';
import { raiseSystemTimerResolution } from './control/timer-resolution.ts';
import { Track } from './driving/track.ts';
import { LearnerLink } from './link/learner-link.ts';
import { createLogger } from './log.ts';
import { watchParent } from './parent-watch.ts';
import { onStopSignal } from './signals.ts';
import { SUPERVISED_ENV, superviseRun } from './supervisor.ts';
import { driveSpecs } from './rl/spaces.ts';
import { SimWorld } from './sim/sim-world.ts';
import { AcNotRunningError, SetupError } from './sources/page-mapper.ts';
import { makeWorld } from './worlds.ts';

export const AGENT_VERSION = '0.1.0';
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, AC_NOT_RUNNING: 3, REFUSED: 4 } as const;

const FOOTER =
	'Commands: run (the default), doctor, record-line, vjoy-test, sim-host; `bridge-agent <command> --help` for each.\nExit codes: 0 done, 1 failure, 2 usage, 3 AC not running, 4 refused by the learner.';
const usage = (line: string) => `Usage: ${line}\n${FOOTER}`;

async function run(argv: string[]): Promise<number> {
	const parsed = parseFlags(argv, process.env, RUN_SETS);
	if (parsed.help) {
		process.stdout.write(helpText(usage("bridge-agent [run] [options]: drive the car with the learner's policy and stream transitions"), RUN_SETS));
		return EXIT.OK;
	}
	const [common, o] = parsed.values;
	if (common.source === 'ac' && process.platform === 'win32' && !o.noSupervisor) {
		// This process only watches; the control loop runs in a child (supervisor.ts).
		const log = createLogger({ level: common.logLevel, json: common.logJson, name: 'supervisor' });
		return superviseRun(argv, { exitWithParent: o.exitWithParent, vjoyDll: common.vjoyDll, vjoyDevice: common.vjoyDevice, log });
	}
	const log = createLogger({ level: common.logLevel, json: common.logJson, name: o.name });
	const { controlHz, seed, maxSteps, timeScale: scale } = o;
	const world = await makeWorld(flagText(RUN_SETS, parsed.values), seed);
	const agent = new Agent(world, {
		controlHz,
		mode: o.mode,
		smoothing: o.smoothing,
		batchSteps: o.batchSteps,
		seed,
		reward: { maxEpisodeSec: o.episodeSeconds, ...o.reward },
		stepsPerPolicy: Number.isFinite(scale) ? 0 : o.stepsPerPolicy,
		log,
		stepperStats: () => stepper.stats()
	});
	const stepper = new Stepper(Number.isFinite(scale) ? 1000 / controlHz / scale : 0);
	let exitCode: number = EXIT.OK;
	const link = new LearnerLink({
		urls: learnerUrls(common.learner),
		token: common.token,
		columns: o.columns,
		bufferLimitSteps: o.bufferLimit,
		silenceTimeoutMs: o.learnerTimeoutMs,
		log,
		hello: {
			type: MessageType.HANDSHAKE,
			protocolVersion: PROTOCOL_VERSION,
			token: common.token,
			actorId: o.id || o.name,
			actorName: o.name,
			mode: o.mode,
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
		onEvaluate: (request) => agent.evaluate(request),
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
	// Windows never sends SIGTERM: closing the console window is SIGHUP, Ctrl-Break SIGBREAK.
	onStopSignal(stop);
	const supervised = process.env[SUPERVISED_ENV] === '1';
	const unwatch = o.exitWithParent ? watchParent(stop, supervised ? { reason: 'stdin closed (the supervisor stopped this process, or died)' } : {}) : undefined;
	// Windows: 1 ms timers for the run instead of ~15.6 ms (released in the finally, or on 'exit').
	const timer = await raiseSystemTimerResolution();
	if (process.platform === 'win32' && !timer.raised) log.warn('timer resolution not raised', { detail: timer.detail });
	log.info('driving', {
		source: world.kind,
		...(world.controls ? { controls: world.controls } : {}),
		track: world.track.name,
		mode: o.mode,
		controlHz,
		timeScale: Number.isFinite(scale) ? scale : 'max',
		timer: timer.detail,
		learner: common.learner
	});
	try {
		await stepper.run(() => (maxSteps > 0 && agent.steps >= maxSteps ? false : agent.tick()));
	} finally {
		unwatch?.();
		agent.stop();
		timer.release();
		// Give the link a moment to flush what is buffered.
		const deadline = Date.now() + 2000;
		while (link.unstoredSteps > 0 && link.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
		link.close();
		world.close();
		const stats = agent.stats();
		log.info('stopped', {
			steps: stats.steps,
			episodes: stats.episodes,
			neutralActions: stats.neutralActions,
			holds: agent.holds,
			policyVersion: agent.policyVersion,
			recordedSteps: link.recordedSteps,
			bufferedSteps: link.bufferedSteps,
			unstoredSteps: link.unstoredSteps,
			droppedSteps: link.droppedSteps,
			resentBatches: link.resentBatches,
			reconnects: link.reconnects,
			silences: link.silences,
			overruns: stats.overruns,
			rssMb: stats.rssMb
		});
	}
	return exitCode;
}

async function doctor(argv: string[]): Promise<number> {
	const sets = [COMMON_OPTIONS, DOCTOR_OPTIONS] as const;
	const parsed = parseFlags(argv, process.env, sets);
	if (parsed.help) {
		process.stdout.write(helpText(usage('bridge-agent doctor [options]: check the telemetry source, controls, control timing and learner before a run'), sets));
		return EXIT.OK;
	}
	const { runDoctor } = await import('./doctor.ts');
	return runDoctor(flagText(sets, parsed.values));
}

async function recordLine(argv: string[]): Promise<number> {
	const parsed = parseFlags(argv, process.env, RECORD_SETS);
	if (parsed.help) {
		process.stdout.write(
			helpText(
				usage('bridge-agent record-line [options]: drive one full lap (in AC yourself; in the sim the reference driver drives) and save the centre line'),
				RECORD_SETS
			)
		);
		return EXIT.OK;
	}
	const [, o] = parsed.values;
	const { LineRecorder, saveLine } = await import('./record-line.ts');
	const { ReferenceDriver } = await import('./sim/reference-driver.ts');
	const world = await makeWorld(flagText(RECORD_SETS, parsed.values), 1, false);
	const recorder = new LineRecorder();
	const driver = world instanceof SimWorld ? new ReferenceDriver(world.track) : undefined;
	const dt = 0.05;
	process.stderr.write('recording: drive across the start line, one full lap, and across it again\n');
	for (let t = 0; t < o.maxSeconds; t += dt) {
		if (world instanceof SimWorld && driver) {
			world.apply(driver.controls(world.sim.driverState));
			world.advance(dt);
		} else await new Promise((resolve) => setTimeout(resolve, dt * 1000));
		if (recorder.feed(world.reader)) {
			saveLine(o.out, { name: world.reader.read().static.track || 'recorded', halfWidth: o.halfWidth, points: recorder.points });
			process.stdout.write(`saved ${recorder.points.length} points to ${o.out}\n`);
			world.close();
			return EXIT.OK;
		}
	}
	world.close();
	process.stderr.write(recorder.started ? 'the lap did not finish in time\n' : 'never crossed the start line\n');
	return EXIT.FAILURE;
}

async function vjoyTest(argv: string[]): Promise<number> {
	const parsed = parseFlags(argv, process.env, [VJOY_TEST_OPTIONS]);
	if (parsed.help) {
		process.stdout.write(
			helpText(
				usage(
					"bridge-agent vjoy-test [options]: bind vJoy in AC's controls — moves one axis at a time slowly (steer X, throttle Y, brake Z, clutch RZ), or presses --button N; ends neutral and relinquished"
				),
				[VJOY_TEST_OPTIONS]
			)
		);
		return EXIT.OK;
	}
	const { vjoyTestCommand } = await import('./vjoy-test.ts');
	return vjoyTestCommand(parsed.values[0]);
}

/** Plays Assetto Corsa for a separate agent process: pages out, joystick in, restart buttons. */
async function simHost(argv: string[]): Promise<number> {
	const parsed = parseFlags(argv, process.env, [SIM_HOST_OPTIONS]);
	if (parsed.help) {
		process.stdout.write(
			helpText(usage('bridge-agent sim-host [options]: publish the simulated car as AC-layout pages in shared memory for `run --source shm`'), [
				SIM_HOST_OPTIONS
			])
		);
		return EXIT.OK;
	}
	const [o] = parsed.values;
	const log = createLogger({ level: o.logLevel, json: o.logJson, name: 'sim-host' });
	const { SimHost } = await import('./sim/sim-host.ts');
	const host = new SimHost({ track: Track.named(o.track), seed: o.seed, dir: o.shmDir, prefix: o.shmPrefix, publishHz: o.publishHz, timeScale: o.timeScale });
	const stop = (signal: string) => {
		log.info(`${signal}: stopping`);
		host.stop();
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
	const unwatch = o.exitWithParent ? watchParent(stop) : undefined;
	log.info('publishing', { track: o.track, dir: o.shmDir, prefix: o.shmPrefix, publishHz: o.publishHz });
	try {
		await host.run();
	} finally {
		unwatch?.();
		host.close();
		log.info('stopped', { restarts: host.restarts });
	}
	return EXIT.OK;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { run, doctor, 'record-line': recordLine, 'vjoy-test': vjoyTest, 'sim-host': simHost };

async function main(): Promise<number> {
	const argv = process.argv.slice(2);
	const command = argv[0] && !argv[0].startsWith('--') ? argv.shift()! : 'run';
	const handler = COMMANDS[command];
	if (!handler) {
		process.stderr.write(`bridge-agent: unknown command "${command}"${didYouMean(command, Object.keys(COMMANDS))} (see --help)\n`);
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
		if (error instanceof SetupError) {
			process.stderr.write(`bridge-agent: ${error.message}\n`);
			return EXIT.FAILURE;
		}
		process.stderr.write(`bridge-agent: ${(error as Error)?.stack ?? error}\n`);
		return EXIT.FAILURE;
	}
}

main().then((code) => process.exit(code));
