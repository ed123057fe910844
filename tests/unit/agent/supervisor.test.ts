/**
 * The supervisor's core with real child processes (the Windows path with vJoy runs under Wine,
 * tests/windows/supervisor.test.ts): whatever ends the control process — SIGKILL, an uncaught
 * exception, a stop — the controls are neutralised after it is gone, and the supervisor's status
 * is the child's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { createLogger } from '../../../bridge-agent/src/log.ts';
import { exitStatus, supervise } from '../../../bridge-agent/src/supervisor.ts';

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

/** Supervises `node -e script`; records the log and when neutralise ran. */
async function supervised(script: string, afterStart?: (stop: (reason: string) => void) => void) {
	const lines: string[] = [];
	const log = createLogger({ level: 'info', json: false, name: 'supervisor' }, (line) => void lines.push(line));
	const events: string[] = [];
	let pid = 0;
	let stopper: ((reason: string) => void) | undefined;
	const status = await supervise({
		spawn: () => {
			const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'] });
			pid = child.pid!;
			return child;
		},
		neutralise: async () => {
			events.push(alive(pid) ? 'neutralised while the child ran' : 'neutralised after the child was gone');
			return 'vJoy device 1 set neutral and relinquished';
		},
		log,
		onStop: (stop) => {
			stopper = stop;
			setTimeout(() => afterStart?.(stop), 300);
			return () => events.push('unsubscribed');
		}
	});
	assert.ok(stopper);
	return { status, events, log: lines.join('') };
}

describe('supervisor', () => {
	it('a control process killed hard (SIGKILL): neutralised after it is gone, status 128 + 9', async () => {
		const { status, events, log } = await supervised('setTimeout(() => process.kill(process.pid, "SIGKILL"), 200); setInterval(() => {}, 1000)');
		assert.equal(status, 137);
		assert.deepEqual(events, ['unsubscribed', 'neutralised after the child was gone']);
		assert.match(log, /control process ended; vJoy device 1 set neutral and relinquished .*signal=SIGKILL status=137/);
	});

	it('an uncaught exception: neutralised, status 1', async () => {
		const { status, events } = await supervised('setTimeout(() => { throw new Error("boom"); }, 100)');
		assert.equal(status, 1);
		assert.deepEqual(events, ['unsubscribed', 'neutralised after the child was gone']);
	});

	it("a stop (Ctrl-C to the supervisor) closes the child's stdin; its clean status is passed on", async () => {
		const script = 'process.stdin.on("end", () => process.exit(0)); process.stdin.resume()';
		const { status, events, log } = await supervised(script, (stop) => stop('SIGINT'));
		assert.equal(status, 0);
		assert.deepEqual(events, ['unsubscribed', 'neutralised after the child was gone']);
		assert.match(log, /SIGINT: stopping the control process/);
	});

	it('reports a device it could not neutralise as a warning', async () => {
		const lines: string[] = [];
		const status = await supervise({
			spawn: () => spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: ['pipe', 'ignore', 'ignore'] }),
			neutralise: async () => 'not neutralised: vJoy device 1 is busy (owned by another process)',
			log: createLogger({ level: 'info', json: false, name: 'supervisor' }, (line) => void lines.push(line)),
			onStop: () => () => {}
		});
		assert.equal(status, 3, "the child's own exit code (AC not running)");
		assert.match(lines.join(''), /WARN .*control process ended; controls not neutralised: vJoy device 1 is busy/);
	});

	it('exit status as a shell reports it', () => {
		assert.deepEqual(
			[exitStatus(0, null), exitStatus(4, null), exitStatus(null, 'SIGKILL'), exitStatus(null, 'SIGTERM'), exitStatus(null, null)],
			[0, 4, 137, 143, 1]
		);
	});
});
