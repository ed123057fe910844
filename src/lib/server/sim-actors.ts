/**
 * The main job's simulated actors: real bridge-agent processes driving the simulated car at full
 * speed against this learner over real WebSockets. Stopped with the server, and gone with it when it dies
 * any other way (their stdin pipe closes: --exit-with-parent).
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
			'warn',
			'--exit-with-parent'
		];
		// stdin is a pipe nobody writes to: when this process dies (SIGKILL included) the OS closes it and the agent exits
		// (--exit-with-parent) instead of living on as an orphan that reconnects to the next learner.
		const child = spawn(process.execPath, args, { stdio: ['pipe', 'inherit', 'pipe'], env: { ...process.env, PITWALL_ACTOR_TOKEN: o.token } });
		child.stdin?.on('error', () => {}); // never written; nothing to report if the pipe breaks
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
