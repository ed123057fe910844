/**
 * Children die with their parent (--exit-with-parent, bridge-agent/src/parent-watch.ts): a
 * SIGKILLed server leaves no simulated actors behind to reconnect to the next learner, and the
 * watch itself, on real processes: a closed stdin stops the agent the SIGTERM way, a hung stop
 * still exits after the grace, and the watch alone never keeps a process alive.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { waitFor } from './helpers.ts';

const AGENT = 'bridge-agent/dist/bridge-agent.js';
const SERVER = 'build/server.js';
const PARENT_WATCH = pathToFileURL(resolve('bridge-agent/src/parent-watch.ts')).href;
const HAS_PROC = process.platform === 'linux' && existsSync('/proc/self/stat');

/** `/proc/<pid>/stat`'s fields after the command (which may hold spaces and parentheses): [state, ppid, …]. */
function statFields(pid: number): string[] | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined;
	}
}

/** The processes whose parent is `ppid`, with their start times (field 22: a reused pid is another process). */
function childrenOf(ppid: number): { pid: number; started: string }[] {
	const children: { pid: number; started: string }[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		const fields = statFields(Number(name));
		if (fields && Number(fields[1]) === ppid && fields[0] !== 'Z') children.push({ pid: Number(name), started: fields[19] });
	}
	return children;
}

/** Gone: no such process (ESRCH), a zombie waiting for init to reap it, or the pid now names another process. */
function gone(child: { pid: number; started: string }): boolean {
	try {
		process.kill(child.pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
		throw error;
	}
	const fields = statFields(child.pid);
	return !fields || fields[0] === 'Z' || fields[19] !== child.started;
}

/** Whether the process has an established TCP connection (the agent's link to the learner). */
function hasTcpConnection(pid: number): boolean {
	try {
		const inodes = new Set<string>();
		for (const fd of readdirSync(`/proc/${pid}/fd`)) {
			const target = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
			if (target) inodes.add(target[1]);
		}
		return ['tcp', 'tcp6'].some((table) =>
			readFileSync(`/proc/${pid}/net/${table}`, 'utf8')
				.split('\n')
				.slice(1)
				.map((line) => line.trim().split(/\s+/))
				.some((f) => f[3] === '01' && inodes.has(f[9]))
		);
	} catch {
		return false; // the process (or one of its fds) went away while we looked
	}
}

/** A real process with its output collected and its exit as a promise. */
function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: string | null }> } {
	const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
	let output = '';
	child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
	child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
	const exited = new Promise<{ code: number | null; signal: string | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
	return { child, output: () => output, exited };
}

/** A few lines of TypeScript run with tsx, `watchParent` imported. */
function script(body: string): ReturnType<typeof start> {
	return start(['--import', 'tsx', '--input-type=module', '-e', `import { watchParent } from ${JSON.stringify(PARENT_WATCH)};\n${body}`]);
}

/** Resolves with the exit, or rejects naming `what` after `timeoutMs`. */
async function exitWithin(p: ReturnType<typeof start>, what: string, timeoutMs: number): Promise<{ code: number | null; signal: string | null }> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${what}: still running after ${timeoutMs} ms; output:\n${p.output().slice(-2000)}`)), timeoutMs);
	});
	try {
		return await Promise.race([p.exited, timeout]);
	} finally {
		clearTimeout(timer);
		p.child.kill('SIGKILL');
	}
}

describe('parent watch (real processes)', () => {
	it('the watch alone does not keep a finished process alive', { timeout: 60_000 }, async () => {
		const p = script(`watchParent(() => console.log('stopped'));\nconsole.log('watching');`);
		const { code } = await exitWithin(p, 'a process with nothing left to do but the watch', 30_000);
		assert.equal(code, 0, p.output());
		assert.match(p.output(), /watching/);
		assert.doesNotMatch(p.output(), /stopped/, 'stdin was still open: no stop');
	});

	it('a closed stdin calls stop; a stop that hangs still exits after the grace', { timeout: 60_000 }, async () => {
		const p = script(`watchParent((reason) => console.log('stop: ' + reason), { graceMs: 500 });\nsetInterval(() => {}, 1000);\nconsole.log('watching');`);
		await waitFor(() => p.output().includes('watching'), `the script to start: ${p.output()}`, 30_000);
		const closedAt = Date.now();
		p.child.stdin!.end();
		const { code } = await exitWithin(p, 'a process whose stop hangs', 30_000);
		assert.equal(code, 1, p.output());
		assert.match(p.output(), /stop: stdin closed/);
		assert.ok(Date.now() - closedAt >= 450, 'exited only after the grace');
	});

	it(
		'bridge-agent run --exit-with-parent stops cleanly when its stdin closes',
		{ timeout: 60_000, skip: !existsSync(AGENT) && `${AGENT} not built (npm run build)` },
		async () => {
			const p = start([AGENT, 'run', '--exit-with-parent', '--learner', 'ws://127.0.0.1:9/ws/actor', '--time-scale', 'max', '--track', 'oval']);
			await waitFor(() => p.output().includes('driving'), `the agent to drive: ${p.output()}`, 30_000);
			p.child.stdin!.end();
			const { code } = await exitWithin(p, 'the agent after its stdin closed', 30_000);
			assert.equal(code, 0, p.output());
			assert.match(p.output(), /stdin closed \(the parent died\): stopping/);
			assert.match(p.output(), /stopped steps=/);
		}
	);

	it(
		'bridge-agent sim-host --exit-with-parent stops cleanly when its stdin closes',
		{ timeout: 60_000, skip: !existsSync(AGENT) && `${AGENT} not built (npm run build)` },
		async () => {
			const dir = mkdtempSync(join(tmpdir(), 'pitwall-orphan-shm-'));
			const p = start([AGENT, 'sim-host', '--exit-with-parent', '--shm-dir', dir, '--shm-prefix', 'orphan', '--track', 'oval']);
			await waitFor(() => p.output().includes('publishing'), `sim-host to publish: ${p.output()}`, 30_000);
			p.child.stdin!.end();
			const { code } = await exitWithin(p, 'sim-host after its stdin closed', 30_000);
			assert.equal(code, 0, p.output());
			assert.match(p.output(), /stdin closed \(the parent died\): stopping/);
		}
	);
});

it(
	'SIGKILLing the server takes its simulated actors with it',
	{
		timeout: 120_000,
		skip: (!existsSync(SERVER) && `${SERVER} not built (npm run build)`) || (!HAS_PROC && 'needs /proc (Linux) to find the children')
	},
	async () => {
		const runsDir = mkdtempSync(join(tmpdir(), 'pitwall-orphans-'));
		const server = spawn(process.execPath, [SERVER, '--port', '0', '--sim-actors', '2', '--runs-dir', runsDir, '--log-level', 'warn'], {
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		server.stdout.on('data', (d: Buffer) => (out += d.toString()));
		server.stderr.on('data', (d: Buffer) => (out += d.toString()));
		const serverExited = new Promise<string | null>((done) => server.on('exit', (_code, signal) => done(signal)));
		let children: { pid: number; started: string }[] = [];
		try {
			await waitFor(
				() => (children = childrenOf(server.pid!)).length >= 2 && children.every((c) => hasTcpConnection(c.pid)),
				`both simulated actors to run and connect (children ${children.map((c) => c.pid).join(', ') || 'none'}) ${out.slice(-1000)}`,
				60_000,
				100
			);
			assert.equal(children.length, 2, `the server runs exactly its 2 actors: ${JSON.stringify(children)}`);
			server.kill('SIGKILL');
			assert.equal(await serverExited, 'SIGKILL');
			await waitFor(
				() => children.every(gone),
				`every actor to exit after the server died (alive: ${children.filter((c) => !gone(c)).map((c) => c.pid)})`,
				10_000,
				50
			);
		} finally {
			server.kill('SIGKILL');
			for (const child of children) if (!gone(child)) process.kill(child.pid, 'SIGKILL'); // no orphans from a failed run either
		}
	}
);
