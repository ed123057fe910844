/**
 * The main job's simulated actors: real bridge-agent processes driving the simulated car at full
 * speed against this learner over real WebSockets. Stopped with the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface SimActorOptions {
	count: number;
	learnerUrl: string;
	token: string;
	/** Steps each actor collects per policy version (≈ nSteps ÷ count). */
	stepsPerPolicy: number;
	track: string;
	log: (line: string) => void;
}

/** The agent as a command: the bundled dist/bridge-agent.js when built, else its TypeScript source. */
export function agentCommand(): string[] {
	const bundle = resolve('bridge-agent/dist/bridge-agent.js');
	if (existsSync(bundle)) return [bundle];
	return ['--import', 'tsx', resolve('bridge-agent/src/cli.ts')];
}

export function spawnSimActors(o: SimActorOptions): { stop(): Promise<void> } {
	const children: ChildProcess[] = [];
	for (let i = 1; i <= o.count; i++) {
		const args = [
			...agentCommand(),
			'run',
			'--source',
			'sim',
			'--track',
			o.track,
			'--learner',
			o.learnerUrl,
			'--time-scale',
			'max',
			'--columns',
			'raw',
			'--name',
			`sim-${i}`,
			'--seed',
			String(i),
			'--steps-per-policy',
			String(o.stepsPerPolicy),
			'--log-level',
			'warn'
		];
		const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, PITWALL_ACTOR_TOKEN: o.token } });
		child.stderr?.on('data', (data: Buffer) => o.log(`[sim-${i}] ${data.toString().trimEnd()}`));
		child.on('exit', (code, signal) => {
			if (code !== 0 && signal === null) o.log(`[sim-${i}] exited with code ${code}`);
		});
		children.push(child);
	}
	return {
		stop: async () => {
			await Promise.all(
				children.map(
					(child) =>
						new Promise<void>((done) => {
							if (child.exitCode !== null) return done();
							child.once('exit', () => done());
							child.kill('SIGTERM');
							setTimeout(() => child.kill('SIGKILL'), 3000).unref();
						})
				)
			);
		}
	};
}
