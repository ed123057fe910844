/** LimitedLog: a peer-repeatable log line is written up to its burst per window, then summarised and counted. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { LimitedLog } from '../../../src/lib/server/limited-log.ts';
import { ManualClock } from '../../../src/lib/server/runtime/clock.ts';

function capture() {
	const lines: { level: number; msg: string; kind?: string; suppressed?: number; n?: number }[] = [];
	const log = pino({}, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
	return { lines, log };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('LimitedLog', () => {
	it('writes the first lines of a kind per window, summarises the rest once the window has passed, and counts all', async () => {
		const clock = new ManualClock();
		const { lines, log } = capture();
		const limited = new LimitedLog(clock, { burst: 3, windowMs: 10_000 });
		for (let n = 0; n < 100; n++) limited.warn(log, 'RATE_LIMITED', { n }, 'actor refused: too fast');
		limited.warn(log, 'upgrade 403', {}, 'upgrade refused: Host');
		limited.flush(); // the window has not passed: no summary yet
		await settle();
		assert.deepEqual(
			lines.map((l) => l.msg),
			['actor refused: too fast', 'actor refused: too fast', 'actor refused: too fast', 'upgrade refused: Host']
		);
		clock.advance(10_000);
		limited.flush();
		await settle();
		assert.equal(lines.length, 5);
		assert.equal(lines[4].msg, "97 more like 'actor refused: too fast' in the last 10 s were not logged");
		assert.equal(lines[4].suppressed, 97);
		assert.equal(lines[4].kind, 'RATE_LIMITED');
		limited.warn(log, 'RATE_LIMITED', { n: 100 }, 'actor refused: too fast'); // a new window writes again
		await settle();
		assert.equal(lines.at(-1)?.n, 100);
		assert.deepEqual(limited.totals(), { RATE_LIMITED: 101, 'upgrade 403': 1 });
		for (let n = 0; n < 5; n++) limited.error(log, 'INTERNAL', {}, 'actor refused: a decoder bug');
		clock.advance(10_000);
		limited.flush();
		await settle();
		assert.deepEqual(
			lines.slice(-4).map((l) => [l.level, l.msg]),
			[
				[50, 'actor refused: a decoder bug'],
				[50, 'actor refused: a decoder bug'],
				[50, 'actor refused: a decoder bug'],
				[50, "2 more like 'actor refused: a decoder bug' in the last 10 s were not logged"]
			],
			'error lines are limited and summarised at error level'
		);
		assert.equal(limited.totals().INTERNAL, 5);
	});

	it('summarises a kind when its next line arrives after the window, without a flush', async () => {
		const clock = new ManualClock();
		const { lines, log } = capture();
		const limited = new LimitedLog(clock, { burst: 1, windowMs: 1000 });
		limited.warn(log, 'MALFORMED', {}, 'a');
		limited.warn(log, 'MALFORMED', {}, 'b');
		clock.advance(1500);
		limited.warn(log, 'MALFORMED', {}, 'c');
		await settle();
		assert.deepEqual(
			lines.map((l) => l.msg),
			['a', "1 more like 'a' in the last 1 s were not logged", 'c']
		);
	});
});
