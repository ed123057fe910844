/**
 * A simulated actor that laps in seconds, for the browser tests: the real bridge-agent Agent and
 * LearnerLink on the in-process sim at full speed, but the car is steered by the sim's reference
 * driver (the controls the policy chose are replaced before they reach the car). Episodes end on
 * the time limit with clean laps in them, so the console gets lap times quickly.
 *   node --import tsx tests/e2e/lapper.ts <learner ws url> <name>   (token: PITWALL_ACTOR_TOKEN)
 */
import { MessageType, PROTOCOL_VERSION } from '../../src/lib/protocol/index.ts';
import { Agent } from '../../bridge-agent/src/agent.ts';
import { Stepper } from '../../bridge-agent/src/control/stepper.ts';
import { Track } from '../../bridge-agent/src/driving/track.ts';
import { LearnerLink } from '../../bridge-agent/src/link/learner-link.ts';
import { createLogger } from '../../bridge-agent/src/log.ts';
import { watchParent } from '../../bridge-agent/src/parent-watch.ts';
import { driveSpecs } from '../../bridge-agent/src/rl/spaces.ts';
import { ReferenceDriver } from '../../bridge-agent/src/sim/reference-driver.ts';
import { SimWorld } from '../../bridge-agent/src/sim/sim-world.ts';

const [url, name = 'lapper'] = process.argv.slice(2);
const token = process.env.PITWALL_ACTOR_TOKEN ?? '';
const controlHz = 20;
const log = createLogger({ level: 'warn', json: false, name });
const world = new SimWorld(Track.named('oval'), 1, 'line');
const driver = new ReferenceDriver(world.track);
const apply = world.apply.bind(world);
world.apply = () => {
	apply(driver.controls(world.sim.driverState));
};
const agent = new Agent(world, {
	controlHz,
	mode: 'local',
	smoothing: 'none',
	batchSteps: 256,
	seed: 1,
	// Long enough for a lap or two of the oval, short enough that an episode ends every few seconds.
	reward: { maxEpisodeSec: 120 },
	stepsPerPolicy: 0,
	log
});
// 100× real time: a lap of the oval (≈ 47 s) in about half a second, without flooding the learner.
const stepper = new Stepper(1000 / controlHz / 100);
const link = new LearnerLink({
	urls: [url],
	token,
	columns: 'raw',
	bufferLimitSteps: 100_000,
	silenceTimeoutMs: 10_000,
	log,
	hello: {
		type: MessageType.HANDSHAKE,
		protocolVersion: PROTOCOL_VERSION,
		token,
		actorId: name,
		actorName: name,
		mode: 'local',
		controlHz,
		...driveSpecs(),
		source: world.kind,
		agentVersion: 'e2e-lapper'
	},
	stats: () => agent.stats(),
	onWeights: (update) => agent.loadWeights(update),
	onControl: (chunk) => agent.onControl(chunk),
	onAccepted: (accept) => {
		agent.setTelemetryHz(accept.telemetryHz);
		agent.onSession();
	},
	onFatal: (code, message) => {
		process.stderr.write(`refused: ${code} ${message}\n`);
		stepper.stop();
	}
});
agent.link = link;
link.start();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stepper.stop());
const unwatch = watchParent(() => stepper.stop());
await stepper.run(() => agent.tick());
unwatch?.();
agent.stop();
link.close();
world.close();
process.exit(0);
