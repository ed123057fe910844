/**
 * The Windows test harness: the agent's bundle run by the Windows build of Node under Wine, with
 * koffi's win32_x64 binary, against a fake Assetto Corsa (a Windows program that creates AC's
 * named mappings and fills them from `bridge-agent sim-host`, the simulated car on Linux) and a
 * fake vJoyInterface.dll installed where vJoy installs it (C:\Program Files\vJoy\x64, recorded in
 * the registry as vJoy's installer does). The fake vJoy's axes and buttons drive the simulated car
 * through the fake AC. scripts/ensure-wine.sh provides Wine, node.exe, koffi and the compiled
 * doubles (cached in .cache/windows).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
	closeSync,
	copyFileSync,
	existsSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	unlinkSync,
	writeFileSync
} from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { TOP, packageWindows } from '../../scripts/package-windows.ts';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const VJOY_UNINSTALL_KEY = 'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{8E31F76F-74C3-47F1-9550-E041EEDC5FBB}_is1';
export const VJOY_DIR = 'C:\\Program Files\\vJoy\\x64';
/**
 * Wine's winmm logs nothing for timeBeginPeriod(1); its relay trace does. stageAgent limits the
 * relay to these two functions (RelayInclude in the prefix), so a process run with
 * WINEDEBUG=+relay (RELAY_WINMM_ENV) logs "Call winmm.timeBeginPeriod(00000001)" and the like.
 */
export const RELAY_INCLUDE = 'winmm.timeBeginPeriod;winmm.timeEndPeriod';
export const RELAY_WINMM_ENV = { WINEDEBUG: '-all,+relay' };

export interface WineEnv {
	WINE_CACHE: string;
	WINE_NODE: string;
	/** koffi's package, win32_x64 only, as a tar. */
	WINE_KOFFI: string;
	WINEPREFIX: string;
	WINE_DOUBLES: string;
}

/** The Wine environment, or why the Windows tests cannot run here (the skip message). */
export function prepareWine(): { env: WineEnv } | { skip: string } {
	let out: string;
	try {
		out = execFileSync('bash', [join(ROOT, 'scripts/ensure-wine.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (error) {
		const stderr = String((error as { stderr?: string }).stderr ?? error);
		return { skip: `Windows tests not run: ${stderr.trim().replace(/\n/g, ' | ')}` };
	}
	const env = Object.fromEntries(
		out
			.trim()
			.split('\n')
			.map((line) => line.split(/=(.*)/s).slice(0, 2))
	) as unknown as WineEnv;
	return { env };
}

/** Linux path → the same file through Wine's Z: drive. */
export const winPath = (path: string) => 'Z:' + path.replace(/\//g, '\\');

const BASE_ENV = { WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };

export interface Proc {
	child: ChildProcess;
	exited: Promise<number>;
	log: () => string;
	/** Resolves when the log matches `pattern` (rejects after timeoutMs or on exit). */
	waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<void>;
}

function track(child: ChildProcess, logFile: string): Proc {
	let code: number | undefined;
	const exited = new Promise<number>((resolve) => child.on('exit', (c, signal) => resolve((code = c ?? (signal ? 128 : -1)))));
	const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
	const waitFor = async (pattern: RegExp, timeoutMs = 20_000) => {
		const deadline = Date.now() + timeoutMs;
		while (!pattern.test(log())) {
			if (code !== undefined) throw new Error(`exited (${code}) before ${pattern}:\n${log()}`);
			if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${log()}`);
			await new Promise((resolve) => setTimeout(resolve, 25));
		}
	};
	return { child, exited, log, waitFor };
}

/**
 * A Windows program under Wine. Its stdout and stderr go to a file: node.exe under Wine cannot
 * write to a pipe (EBADF in createWritableStdioStream).
 */
export function wine(env: WineEnv, exe: string, args: string[], logFile: string, extraEnv: Record<string, string> = {}): Proc {
	const fd = openSync(logFile, 'w');
	const child = spawn('wine', [exe, ...args], {
		env: { ...process.env, ...BASE_ENV, WINEPREFIX: env.WINEPREFIX, ...extraEnv },
		stdio: ['ignore', fd, fd]
	});
	closeSync(fd);
	return track(child, logFile);
}

/** A Linux process (the sim host, the learner's side) with its output in a file. */
export function linux(command: string, args: string[], logFile: string): Proc {
	const fd = openSync(logFile, 'w');
	const child = spawn(command, args, { stdio: ['ignore', fd, fd] });
	closeSync(fd);
	return track(child, logFile);
}

/**
 * The agent as a user gets it: `npm run package:windows`'s zip (built fresh from the sources, with
 * ensure-wine.sh's koffi), unzipped into `dir` — bridge-agent.js, koffi's win32_x64 binary, the
 * launcher and the reset app in `dir/pitwall-agent/`. Returns the unzipped bridge-agent.js. Also
 * installs the fake vJoy into the prefix where vJoy's installer puts it, with the registry value
 * it writes.
 */
export function stageAgent(env: WineEnv, dir: string): string {
	const { path } = packageWindows({ out: join(dir, 'pitwall-agent-windows-x64.zip'), koffiTar: env.WINE_KOFFI });
	for (const [name, bytes] of Object.entries(unzipSync(readFileSync(path)))) {
		if (name.endsWith('/')) continue;
		mkdirSync(dirname(join(dir, name)), { recursive: true });
		writeFileSync(join(dir, name), bytes);
	}
	const agentJs = join(dir, TOP, 'bridge-agent.js');
	if (!existsSync(agentJs)) throw new Error(`the package has no ${TOP}/bridge-agent.js`);
	const vjoy = join(env.WINEPREFIX, 'drive_c/Program Files/vJoy/x64');
	mkdirSync(vjoy, { recursive: true });
	copyFileSync(join(env.WINE_DOUBLES, 'vJoyInterface.dll'), join(vjoy, 'vJoyInterface.dll'));
	const marker = join(env.WINEPREFIX, '.pitwall-vjoy-registered');
	if (!existsSync(marker)) {
		execFileSync('wine', ['reg', 'add', VJOY_UNINSTALL_KEY, '/v', 'DllX64Location', '/t', 'REG_SZ', '/d', VJOY_DIR, '/f', '/reg:64'], {
			env: { ...process.env, ...BASE_ENV, WINEPREFIX: env.WINEPREFIX },
			stdio: 'ignore'
		});
		writeFileSync(marker, '');
	}
	const relayMarker = join(env.WINEPREFIX, '.pitwall-relay-winmm');
	if (!existsSync(relayMarker)) {
		execFileSync('wine', ['reg', 'add', 'HKCU\\Software\\Wine\\Debug', '/v', 'RelayInclude', '/t', 'REG_SZ', '/d', RELAY_INCLUDE, '/f'], {
			env: { ...process.env, ...BASE_ENV, WINEPREFIX: env.WINEPREFIX },
			stdio: 'ignore'
		});
		writeFileSync(relayMarker, '');
	}
	isolateDocuments(env);
	return agentJs;
}

/** The reset channel's folder as the agent and the fake AC see it (Documents\Assetto Corsa\pitwall), on Linux. */
export const resetChannelDir = (env: WineEnv) => join(env.WINEPREFIX, 'drive_c/users', userInfo().username, 'Documents/Assetto Corsa/pitwall');

/**
 * A new prefix links each user's Documents to $HOME, so the reset channel (Documents\Assetto
 * Corsa\pitwall) would be the tester's own ~/Assetto Corsa, shared by every prefix and run. Gives
 * each user of the prefix a Documents folder of its own, and an empty reset channel per test file.
 */
export function isolateDocuments(env: WineEnv): void {
	const users = join(env.WINEPREFIX, 'drive_c/users');
	for (const user of existsSync(users) ? readdirSync(users) : []) {
		const documents = join(users, user, 'Documents');
		if (lstatSync(documents, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(documents); // dangling or not
		rmSync(join(documents, 'Assetto Corsa', 'pitwall'), { recursive: true, force: true });
		mkdirSync(documents, { recursive: true });
	}
}

/** The fake vJoy device's shared state (tests/windows/doubles/fake-vjoy.h). */
export interface VJoyState {
	owner: number;
	axes: number[];
	buttons: number;
	writes: number;
	badCalls: number;
}

export function readVJoyState(path: string): VJoyState | undefined {
	if (!existsSync(path)) return undefined;
	const b = readFileSync(path);
	if (b.length < 52 || b.readUInt32LE(0) !== 0x594f4a56) return undefined;
	return {
		owner: b.readInt32LE(4),
		axes: Array.from({ length: 8 }, (_, i) => b.readInt32LE(8 + 4 * i)),
		buttons: b.readUInt32LE(40),
		writes: b.readUInt32LE(44),
		badCalls: b.readUInt32LE(48)
	};
}

/**
 * The game: a sim host on Linux publishing the car's pages into `dir`, and the fake AC under Wine
 * copying them into Local\acpmf_* and feeding the fake vJoy's axes back to the car.
 */
export class Game {
	readonly dir: string;
	readonly commandFile: string;
	readonly vjoyState: string;
	readonly vjoyLog: string;
	host: Proc | undefined;
	ac: Proc | undefined;
	private acRuns = 0;

	constructor(
		readonly env: WineEnv,
		readonly work: string,
		readonly smVersion?: string
	) {
		this.dir = mkdtempSync('/dev/shm/pitwall-wine-');
		this.commandFile = join(this.dir, 'ac-command');
		this.vjoyState = join(this.dir, 'vjoy-state');
		this.vjoyLog = join(this.dir, 'vjoy.log');
		writeFileSync(this.commandFile, 'LIVE');
	}

	/** What the agent's process needs to find the fake vJoy's state and log. */
	get agentEnv(): Record<string, string> {
		return { FAKE_VJOY_STATE: winPath(this.vjoyState), FAKE_VJOY_LOG: winPath(this.vjoyLog) };
	}

	async startHost(hz = 100): Promise<void> {
		const agent = join(ROOT, 'bridge-agent/dist/bridge-agent.js');
		this.host = linux(
			process.execPath,
			[agent, 'sim-host', '--shm-dir', this.dir, '--shm-prefix', 'ac', '--track', 'oval', '--publish-hz', String(hz)],
			join(this.work, 'sim-host.log')
		);
		const controls = join(this.dir, 'ac-controls');
		const deadline = Date.now() + 15_000;
		while (!existsSync(controls)) {
			if (Date.now() > deadline) throw new Error(`sim host did not start:\n${this.host.log()}`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	/** Starts (or restarts) the fake AC, LIVE. */
	async startAc(): Promise<void> {
		this.command('LIVE');
		const args = [winPath(this.dir), 'ac', winPath(this.commandFile), winPath(this.vjoyState)];
		if (this.smVersion) args.push(this.smVersion);
		this.ac = wine(this.env, join(this.env.WINE_DOUBLES, 'fake-ac.exe'), args, join(this.work, `fake-ac-${++this.acRuns}.log`));
		await this.ac.waitFor(/acpmf_static (created|reused)/);
		await this.ac.waitFor(/fake-ac: LIVE/);
	}

	/** LIVE, PAUSE, REPLAY, OFF, QUIT (see fake-ac.c). */
	command(word: string): void {
		writeFileSync(this.commandFile, word);
	}

	async quitAc(): Promise<void> {
		this.command('QUIT');
		if (this.ac) await this.ac.exited;
	}

	/** The simulated car's current speed (its physics page as the sim host published it). */
	speedKmh(): number {
		const path = join(this.dir, 'ac-physics');
		return existsSync(path) ? readFileSync(path).readFloatLE(28) : NaN;
	}

	vjoyCalls(): string[] {
		return existsSync(this.vjoyLog) ? readFileSync(this.vjoyLog, 'utf8').trim().split('\n') : [];
	}

	async stop(): Promise<void> {
		if (this.ac && this.ac.child.exitCode === null) await this.quitAc().catch(() => {});
		if (this.host && this.host.child.exitCode === null) {
			this.host.child.kill('SIGTERM');
			await this.host.exited;
		}
		rmSync(this.dir, { recursive: true, force: true });
	}
}

/** Waits until every Wine process of the prefix has exited. */
export function wineserverWait(env: WineEnv): void {
	try {
		execFileSync('wineserver', ['-w'], { env: { ...process.env, WINEPREFIX: env.WINEPREFIX }, timeout: 20_000 });
	} catch {
		execFileSync('wineserver', ['-k'], { env: { ...process.env, WINEPREFIX: env.WINEPREFIX } });
	}
}
