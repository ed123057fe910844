/**
 * The learner's laps: numbered over the run, ranked per track (clean laps only), the traces of
 * leaderboard and record laps kept on disk and of each actor's last lap in memory; everything read
 * back by a restarted learner; and what a peer can grow is capped.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MessageType, type LapReport, type Message, type TrackDescription } from '../../../src/lib/protocol/index.ts';
import { silentLog } from '../../../src/lib/server/log.ts';
import { LapFiles } from '../../../src/lib/server/run/lap-files.ts';
import { ActorEntry, type ActorLink } from '../../../src/lib/server/runtime/actors.ts';
import { Alerts } from '../../../src/lib/server/runtime/alerts.ts';
import { ManualClock } from '../../../src/lib/server/runtime/clock.ts';
import { LEADERBOARD_SIZE, Laps, MAX_TRACKS, MAX_TRACKS_PER_SESSION } from '../../../src/lib/server/runtime/laps.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

const link: ActorLink = { send: (_m: Message) => {}, sendFrame: () => {}, bufferedAmount: 0, close: () => {} };

function setup(dir = mkdtempSync(join(tmpdir(), 'pitwall-laps-')), maxBytes = 2 ** 20) {
	const clock = new ManualClock();
	const alerts = new Alerts(clock, silentLog);
	const laps = new Laps(new LapFiles(dir, maxBytes), 20, clock, silentLog, alerts);
	const actor = (id: string) => new ActorEntry(`s-${id}`, { ...seedHandshake(id), actorName: `car ${id}` }, '127.0.0.1', link, clock);
	return { dir, clock, alerts, laps, actor };
}

const track = (name = 'oval'): TrackDescription => ({
	type: MessageType.TRACK,
	name,
	lengthM: 1302,
	halfWidthM: 7,
	x: Float32Array.of(0, 400, 400, 0),
	z: Float32Array.of(0, 0, 160, 160),
	sectors: [1 / 3, 2 / 3]
});

const lap = (timeMs: number, clean = true, withTrace = true): LapReport => ({
	type: MessageType.LAP,
	episodeId: 1,
	lap: 1,
	timeMs,
	clean,
	sectorsMs: [],
	maxSpeedKmh: 150,
	policyVersion: 3,
	...(withTrace
		? {
				trace: {
					hz: 10,
					n: 2,
					x: Float32Array.of(1, 2),
					z: Float32Array.of(3, 4),
					speedKmh: Float32Array.of(100, 110),
					steer: Float32Array.of(0, 0.5),
					throttle: Float32Array.of(1, 1),
					brake: Float32Array.of(0, 0)
				}
			}
		: {})
});

describe('Laps', () => {
	it('ranks clean laps per track, fastest first, numbered over the run; dirty laps count but never rank', () => {
		const { laps, actor, clock } = setup();
		const a = actor('a');
		const b = actor('b');
		laps.track(a, track('oval'));
		laps.track(b, track('mixed'));
		for (const [who, time, clean] of [
			[a, 60_000, true],
			[a, 55_000, false],
			[b, 80_000, true],
			[a, 58_000, true]
		] as const) {
			laps.lap(who, lap(time, clean));
			clock.advance(1000);
		}
		const view = laps.view();
		assert.equal(view.total, 4);
		assert.equal(view.clean, 3);
		const oval = view.leaderboards.find((l) => l.track === 'oval')!;
		assert.deepEqual(
			oval.laps.map((l) => [l.id, l.timeMs, l.actorName]),
			[
				[4, 58_000, 'car a'],
				[1, 60_000, 'car a']
			]
		);
		assert.equal(view.leaderboards.find((l) => l.track === 'mixed')!.laps[0].actorId, 'b');
		assert.deepEqual(
			view.recent.map((l) => l.id),
			[4, 3, 2, 1]
		);
		assert.deepEqual(
			laps.ofActor('a').map((l) => l.timeMs),
			[58_000, 55_000, 60_000]
		);
	});

	it('keeps the replays of leaderboard and record laps on disk, and the last lap of each actor in memory', () => {
		const { laps, actor, dir } = setup();
		const a = actor('a');
		laps.track(a, track());
		// 12 clean laps getting slower: lap 1 is the record; laps 11 and 12 miss the top 10.
		for (let i = 0; i < LEADERBOARD_SIZE + 2; i++) laps.lap(a, lap(60_000 + i * 1000));
		const kept = readdirSync(join(dir, 'replays')).sort();
		assert.deepEqual(kept, Array.from({ length: LEADERBOARD_SIZE }, (_, i) => `${i + 1}.json`).sort());
		assert.equal(laps.replay(12)?.lap.id, 12, "the actor's last lap, from memory");
		assert.equal(laps.replay(11), undefined, 'off the board and not the last one');
		assert.deepEqual(laps.replay(1)?.x, [1, 2]);
		// A faster lap pushes lap 10 off the board: its replay goes.
		laps.lap(a, lap(50_000));
		assert.ok(!readdirSync(join(dir, 'replays')).includes('10.json'));
		assert.ok(readdirSync(join(dir, 'replays')).includes('13.json'));
		assert.equal(laps.view().leaderboards[0].laps[0].replay, true);
	});

	it('a replay carries the trace’s tyresOut when the actor sent it (in memory and on disk), none when not', () => {
		const { laps, actor, dir } = setup();
		const a = actor('a');
		laps.track(a, track());
		const withTyres = lap(60_000);
		withTyres.trace!.tyresOut = Uint8Array.of(0, 3);
		laps.lap(a, withTyres); // lap 1: on the board (disk)
		laps.lap(a, lap(70_000, false)); // lap 2: the last one (memory), an older actor's trace
		assert.deepEqual(laps.replay(1)?.tyresOut, [0, 3]);
		assert.deepEqual(JSON.parse(readFileSync(join(dir, 'replays', '1.json'), 'utf8')).tyresOut, [0, 3]);
		assert.equal(laps.replay(2)?.lap.id, 2);
		assert.equal('tyresOut' in laps.replay(2)!, false);
	});

	it('a restarted learner reads laps, leaderboards, tracks and kept replays back and numbers on', () => {
		const first = setup();
		const a = first.actor('a');
		first.laps.track(a, track());
		first.laps.lap(a, lap(61_000));
		first.laps.lap(a, lap(59_000, false));
		const again = setup(first.dir);
		assert.equal(again.laps.view().total, 2);
		assert.equal(again.laps.trackViews()[0].name, 'oval');
		assert.equal(again.laps.view().leaderboards[0].laps[0].timeMs, 61_000);
		assert.equal(again.laps.replay(1)?.lap.timeMs, 61_000);
		const b = again.actor('b');
		b.track = 'oval';
		assert.equal(again.laps.lap(b, lap(57_000)).id, 3);
		const lines = readFileSync(join(first.dir, 'laps.jsonl'), 'utf8').trim().split('\n');
		assert.equal(lines.length, 3);
	});

	it('a torn last line of laps.jsonl (a crash mid-write) is skipped', () => {
		const first = setup();
		first.laps.lap(first.actor('a'), lap(61_000));
		appendFileSync(join(first.dir, 'laps.jsonl'), '{"id":2,"at":17000000,"actorId":"a","tim');
		assert.equal(setup(first.dir).laps.view().total, 1);
	});

	it('caps: TRACK per session and tracks per run, laps per second, laps.jsonl’s size (alerted once)', () => {
		const { laps, actor, clock, alerts } = setup(undefined, 1200);
		const a = actor('a');
		for (let i = 0; i < MAX_TRACKS_PER_SESSION; i++) laps.track(a, track());
		assert.throws(() => laps.track(a, track()), { code: 'RATE_LIMITED' });
		for (let i = 0; i < MAX_TRACKS - 1; i++) laps.track(actor(`t${i}`), track(`track ${i}`)); // with 'oval': the cap
		assert.throws(() => laps.track(actor('late'), track('one too many')), { code: 'LIMIT_EXCEEDED' });
		laps.track(actor('again'), track('track 3')); // a known name is fine
		clock.advance(1000);
		for (let i = 0; i < 20; i++) laps.lap(a, lap(60_000, true, false));
		assert.throws(() => laps.lap(a, lap(60_000)), { code: 'RATE_LIMITED' });
		assert.equal(alerts.open.filter((x) => x.kind === 'run-error').length, 1, 'laps.jsonl cap reached');
		assert.match(alerts.open[0].message, /laps\.jsonl reached its cap/);
		assert.equal(laps.view().total, 20, 'laps past the cap are still shown');
	});
});
