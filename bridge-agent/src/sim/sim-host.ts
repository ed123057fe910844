/**
 * The simulated car as its own process, standing in for Assetto Corsa: it runs in real time (or
 * scaled), publishes the three AC pages as files (/dev/shm by default) and takes controls from a
 * file-backed virtual joystick with AC's buttons. An agent started with `--source shm` drives it
 * through exactly the code it uses with AC (AcReader, GuardedSink, AcWorld's button reset), so
 * that path runs and is tested on any OS.
 *
 * Buttons behave as AC's: RESTART_RACE puts the car back on the start line and holds it there;
 * START_RACE lets it go. Controls not refreshed for CONTROL_TIMEOUT_MS → neutral (the agent died);
 * non-finite controls → neutral, out-of-range ones clipped.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { Stepper } from '../control/stepper.ts';
import { NEUTRAL, toControls } from '../control/smoothing.ts';
import type { Track } from '../driving/track.ts';
import { CONTROL_BYTES, ControlReader, buttonBit, controlPath, encodeControlPage } from '../sinks/file-control.ts';
import { VJOY_BUTTON } from '../sinks/vjoy-sink.ts';
import { PagePublisher } from './page-publisher.ts';
import { SimCar } from './sim-car.ts';

export const CONTROL_TIMEOUT_MS = 1000;

export interface SimHostOptions {
	track: Track;
	seed: number;
	dir: string;
	prefix: string;
	/** Pages published per second of simulated time (AC's physics page runs at ≈ 333). */
	publishHz: number;
	/** Simulated seconds per real second. */
	timeScale: number;
}

const pressed = (buttons: number, button: number) => (buttons & buttonBit(button)) !== 0;

export class SimHost {
	readonly sim: SimCar;
	private readonly publisher: PagePublisher;
	private readonly controlFd: number;
	private readonly controls: ControlReader;
	private readonly stepper: Stepper;
	private readonly controlFile: string;
	private lastButtons = 0;
	private lastSeq = 0;
	private lastSeqAt = 0;
	private episode = 0;
	/** After RESTART_RACE until START_RACE the car waits on the line. */
	held = false;
	restarts = 0;

	constructor(readonly o: SimHostOptions) {
		this.sim = new SimCar(o.track, o.seed, 'line');
		this.publisher = new PagePublisher(o.dir, o.prefix);
		this.controlFile = controlPath(o.dir, o.prefix);
		this.controlFd = openSync(this.controlFile, 'w+', 0o600);
		writeSync(this.controlFd, encodeControlPage({ seq: 0, controls: NEUTRAL, buttons: 0 }), 0, CONTROL_BYTES, 0);
		this.controls = new ControlReader(this.controlFd);
		this.publisher.publish('static', this.sim.static);
		this.publish();
		this.stepper = new Stepper(1000 / o.publishHz / o.timeScale);
	}

	private publish(): void {
		this.publisher.publish('physics', this.sim.physics);
		this.publisher.publish('graphics', this.sim.graphics);
	}

	/** One period: read the joystick, handle buttons, advance the car, publish. */
	tick(now = performance.now()): void {
		const page = this.controls.read();
		if (page.seq !== this.lastSeq) {
			this.lastSeq = page.seq;
			this.lastSeqAt = now;
		}
		const rising = page.buttons & ~this.lastButtons;
		this.lastButtons = page.buttons;
		if (pressed(rising, VJOY_BUTTON.RESTART_RACE) || pressed(rising, VJOY_BUTTON.RESTART_SESSION)) {
			this.sim.reset(++this.episode);
			this.held = true;
			this.restarts++;
		}
		if (pressed(rising, VJOY_BUTTON.START_RACE)) this.held = false;
		if (!this.held) {
			const fresh = now - this.lastSeqAt < CONTROL_TIMEOUT_MS;
			// Any process may write the file: out-of-range values are clipped, non-finite ones go neutral.
			const { steer, throttle, brake } = page.controls;
			this.sim.apply(fresh ? toControls([steer, throttle, brake]).controls : NEUTRAL);
			this.sim.step(1 / this.o.publishHz);
		}
		this.publish();
	}

	/** Runs until stop(). */
	run(): Promise<void> {
		return this.stepper.run(() => {
			this.tick();
			return true;
		});
	}

	stop(): void {
		this.stepper.stop();
	}

	/** Removes the pages and the joystick file: agents then see "not running". */
	close(): void {
		this.publisher.close();
		closeSync(this.controlFd);
		rmSync(this.controlFile, { force: true });
	}
}
