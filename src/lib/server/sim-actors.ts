/**
 * The main job's simulated actors: real bridge-agent processes driving the simulated car at full
 * speed against this learner over real WebSockets. Stopped with the server, and gone with it when it dies
 * any other way (their stdin pipe closes: --exit-with-parent).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolvePpoConfig } from '../ppo/config.ts';
import { resolveSacConfig } from '../sac/config.ts';
import { SAC_DRIVING_REWARD } from '../sac/presets.ts';
import type { LearnerOptions } from './config.ts';

export interface SimActorOptions {
	count: number;
	learnerUrl: string;
	token: string;
	/** Steps each actor collects per policy version (simStepsPerPolicy). */
	stepsPerPolicy: number;
	track: string;
	/** Simulated seconds per real second, or 'max' (the default: paced by stepsPerPolicy). */
	timeScale?: number | 'max';
	/** Control rate, Hz (the agent's default when absent). */
	controlHz?: number;
	/** Reward settings (the agent's --reward JSON; its defaults when absent). */
	reward?: Record<string, number | null>;
	log: (line: string) => void;
}

/**
 * The pace of actors faster than real time: steps per policy version each, so that together they
 * bring what the learner trains on per version — PPO's nSteps, or for SAC the env steps behind
 * one version's `broadcastEvery` gradient steps at the UTD ratio (the UTD holds; back-pressure).
 */
export function simStepsPerPolicy(learner: Pick<LearnerOptions, 'algo' | 'ppo' | 'sac'>, count: number): number {
	if (learner.algo === 'sac') {
		const sac = resolveSacConfig(learner.sac ?? {});
		return Math.max(1, Math.ceil(sac.broadcastEvery / sac.utd / count));
	}
	return Math.ceil(resolvePpoConfig(learner.ppo ?? {}).nSteps / count);
}

/** The simulated agents' reward settings for a run of this algorithm (undefined: the agent's defaults). */
export function simReward(algo: LearnerOptions['algo']): Record<string, number> | undefined {
	return algo === 'sac' ? { ...SAC_DRIVING_REWARD } : undefined;
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
			String(o.timeScale ?? 'max'),
			...(o.controlHz ? ['--control-hz', String(o.controlHz)] : []),
			...(o.reward ? ['--reward', JSON.stringify(o.reward)] : []),
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
