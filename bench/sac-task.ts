/**
 * One seed of one SAC reference task, as a child process of bench/sac.ts (so seeds run on every
 * core): `tsx bench/sac-task.ts pendulum|cartpole <seed>`; prints one JSON line.
 *   pendulum  mean return of 10 deterministic episodes after 20 k env steps
 *   cartpole  env steps until 5 deterministic episodes all score 500 (checked every 1000; Infinity = never)
 */
import { initBackend } from '../src/lib/ppo/backend.ts';
import { CartPole } from '../src/lib/ppo/envs/cartpole.ts';
import { Pendulum } from '../src/lib/ppo/envs/pendulum.ts';
import { SAC_REFERENCE_CONFIGS } from '../src/lib/sac/reference-configs.ts';
import { evaluate, trainSac } from '../src/lib/sac/train.ts';

const [task, seedText] = process.argv.slice(2) as ['pendulum' | 'cartpole', string];
const seed = Number(seedText);
await initBackend(['wasm']);
const { steps, config } = SAC_REFERENCE_CONFIGS[task];
const started = performance.now();
if (task === 'pendulum') {
	const factory = () => new Pendulum();
	const { trainer } = trainSac(factory, { ...config, seed }, { numEnvs: 1, totalSteps: steps, reportEvery: steps });
	const ret = evaluate(trainer.policy(), factory, 10, 10_000 + seed);
	console.log(JSON.stringify({ task, seed, return: ret, gradSteps: trainer.counters.updates, seconds: (performance.now() - started) / 1000 }));
} else {
	const factory = () => new CartPole();
	let solvedAt = Infinity;
	const { trainer } = trainSac(
		factory,
		{ ...config, seed },
		{
			numEnvs: 1,
			totalSteps: steps,
			reportEvery: 1000,
			onReport: (r, t) => {
				if (!t.learning || evaluate(t.policy(), factory, 5, 20_000 + seed) < 500) return true;
				solvedAt = r.globalStep;
				return false;
			}
		}
	);
	console.log(JSON.stringify({ task, seed, stepsTo500: solvedAt, gradSteps: trainer.counters.updates, seconds: (performance.now() - started) / 1000 }));
}
