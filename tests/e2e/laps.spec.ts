/**
 * Laps in the console, against a server of its own: one simulated actor learning (its episodes
 * have no lap: gaps in the best-lap series) and one lapper (tests/e2e/lapper.ts: the sim's
 * reference driver at 100× real time, a lap of the oval in about half a second). The best-lap
 * chart must get a point, a y scale with labels and a text summary (last, min, max: the charts'
 * text alternative) once the table shows a lap.
 */
import { expect, test, type Locator } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { CAR_COLORS, TRACK_FILL, fit } from '../../src/lib/components/track-draw.ts';
import type { TrackView } from '../../src/lib/protocol/index.ts';
import { SCREENSHOTS, freePort, pixelsOf, watchErrors } from './helpers.ts';
import { connectLapSender } from './lap-sender.ts';
import { trackOfTrace } from '../../src/lib/components/replay.ts';
import type { LapEntry, LapReplay } from '../../src/lib/protocol/index.ts';

const TOKEN = 'laps-actor-token';
const LAP = /^\d+:\d{2}\.\d{3}$/;

let PORT = 0;
let BASE = '';
let server: ChildProcess | undefined;

let lapper: ChildProcess | undefined;

function stop(child: ChildProcess | undefined): Promise<void> {
	return new Promise((done) => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return done();
		child.once('exit', () => done());
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 3000).unref();
	});
}

test.beforeAll(async () => {
	PORT = await freePort();
	BASE = `http://127.0.0.1:${PORT}`;
	server = spawn(
		process.execPath,
		['build/server.js', '--port', String(PORT), '--sim-actors', '1', '--runs-dir', '.test-output/runs-laps', '--ppo', '{"nSteps":1024}', '--log-level', 'warn'],
		{ stdio: ['pipe', 'ignore', 'inherit'], env: { ...process.env, PITWALL_ACTOR_TOKEN: TOKEN } }
	);
	await expect.poll(async () => (await fetch(`${BASE}/api/status`).catch(() => undefined))?.status, { timeout: 30_000 }).toBe(200);
	// stdin a pipe nobody writes to: the lapper exits with this test process (--exit-with-parent's rule).
	lapper = spawn(process.execPath, ['--import', 'tsx', 'tests/e2e/lapper.ts', `ws://127.0.0.1:${PORT}/ws/actor`, 'lapper'], {
		stdio: ['pipe', 'ignore', 'inherit'],
		env: { ...process.env, PITWALL_ACTOR_TOKEN: TOKEN }
	});
});

test.afterAll(async () => {
	await stop(lapper);
	await stop(server);
});

/** Pixels of `hex` in the y axis (the left `width` CSS px of a uPlot canvas): its tick labels. */
function yAxisPixels(canvas: Locator, hex: string, width = 56): Promise<number> {
	return canvas.evaluate(
		(element, [hex, width]) => {
			const c = element as HTMLCanvasElement;
			const ctx = c.getContext('2d');
			const w = Math.round((width * c.width) / c.clientWidth);
			if (!ctx || w === 0 || c.height === 0) return 0;
			const { data } = ctx.getImageData(0, 0, w, c.height);
			const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
			let n = 0;
			for (let i = 0; i < data.length; i += 4) {
				if (data[i + 3] < 128) continue;
				if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) <= 60) n++;
			}
			return n;
		},
		[hex, width] as const
	);
}

test('best-lap chart: a point, y labels and a text summary after the first lap', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto(BASE);
	await expect(page.getByTestId('connection')).toHaveText('connected');
	const row = page.getByTestId('actor-row').filter({ hasText: 'lapper' });
	await expect(row.getByTestId('actor-best-lap')).toHaveText(LAP, { timeout: 60_000 });
	// The learning actor's episodes have no lap: there are gaps in the series.
	await expect(page.getByTestId('actor-row').filter({ hasText: 'sim-1' }).getByTestId('actor-episodes')).not.toHaveText('0', { timeout: 60_000 });
	const chart = page.getByTestId('chart-best lap (s)');
	const canvas = chart.locator('canvas');
	await expect(canvas).toHaveCount(1);
	await expect.poll(() => pixelsOf(canvas, '#f2b36b'), { timeout: 30_000 }).toBeGreaterThan(4); // the lap point(s)
	await expect.poll(() => yAxisPixels(canvas, '#9aa0a6'), { timeout: 30_000 }).toBeGreaterThan(30); // y tick labels
	// The text alternative: last, min and max lap in seconds (the oval takes ≈ 47 s), shown as the
	// caption and read as the figure's description.
	const summary = chart.getByTestId('chart-summary');
	await expect(summary).toHaveText(/^last [\d.]+ · min [\d.]+ · max [\d.]+$/, { timeout: 30_000 });
	const [last, min, max] = ((await summary.textContent()) ?? '').match(/[\d.]+/g)!.map(Number);
	expect(min).toBeGreaterThan(20);
	expect(min).toBeLessThanOrEqual(last);
	expect(max).toBeGreaterThanOrEqual(last);
	await expect(page.getByRole('figure', { name: 'best lap (s)' })).toHaveAccessibleDescription(/^last [\d.]+ · min/);
	// Every chart has one: the two-series chart names its series.
	await expect(page.getByTestId('chart-policy loss').getByTestId('chart-summary')).toHaveText(/^last -?[\d.e+-]+ · min -?[\d.e+-]+ · max -?[\d.e+-]+$/, {
		timeout: 60_000
	});
	await expect(page.getByTestId('chart-approx KL · clipfrac').getByTestId('chart-summary')).toHaveText(/^approx_kl: last .+; clipfrac: last /);
	await page.screenshot({ path: `${SCREENSHOTS}/laps-1280.png`, fullPage: true });
	expect(errors).toEqual([]);
});

/** Mean canvas position (CSS px) of the pixels close to `hex`, or null when there are none. */
function centroidOf(canvas: Locator, hex: string): Promise<{ x: number; y: number; n: number } | null> {
	return canvas.evaluate((element, hex) => {
		const c = element as HTMLCanvasElement;
		const ctx = c.getContext('2d')!;
		const { data } = ctx.getImageData(0, 0, c.width, c.height);
		const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
		let sx = 0;
		let sy = 0;
		let n = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) > 30) continue;
			const p = i / 4;
			sx += p % c.width;
			sy += Math.floor(p / c.width);
			n++;
		}
		const scale = c.width / c.clientWidth;
		return n ? { x: sx / n / scale, y: sy / n / scale, n } : null;
	}, hex);
}

test('fleet map: the track outline covers the track’s centre line, the infield stays empty, each car is on it', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto(BASE);
	const { tracks } = (await (await fetch(`${BASE}/api/tracks`)).json()) as { tracks: TrackView[] };
	const oval = tracks.find((t) => t.name === 'oval')!;
	expect(oval.x.length).toBeGreaterThan(500);
	const map = page.locator('[data-testid="fleet-map"][data-track="oval"]');
	await expect(map).toBeVisible();
	await expect(page.getByTestId('tracks-panel').getByText(/^oval · 1\.30 km · 1 car: lapper \d+ %$/)).toBeVisible();
	await expect.poll(() => centroidOf(map, CAR_COLORS[1]).then((c) => c?.n ?? 0)).toBeGreaterThan(20); // the lapper, 2nd in the actor table
	// Sample the canvas along the centre line the TRACK carried, through the map's own transform.
	const size = await map.evaluate((element) => ({ width: element.clientWidth, height: element.clientHeight }));
	const view = fit(oval, size.width, size.height);
	const points = oval.x.filter((_, i) => i % 13 === 0).map((x, k) => [view.px(x), view.py(oval.z[k * 13])] as const);
	const infield = [[view.px(200), view.py(80)] as const, [view.px(100), view.py(60)] as const, [view.px(300), view.py(100)] as const];
	const colours = await map.evaluate(
		(element, spots) => {
			const c = element as HTMLCanvasElement;
			const ctx = c.getContext('2d')!;
			const scale = c.width / c.clientWidth;
			return spots.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data));
		},
		[...points, ...infield]
	);
	const near = (rgb: number[], hex: string, tolerance = 24) => [1, 3, 5].every((o, i) => Math.abs(parseInt(hex.slice(o, o + 2), 16) - rgb[i]) <= tolerance);
	const onTrack = colours.slice(0, points.length).filter((rgb) => near(rgb, TRACK_FILL)).length;
	expect(onTrack / points.length).toBeGreaterThan(0.9); // a few are under the car, a label or a sector mark
	for (const rgba of colours.slice(points.length)) expect(rgba[3]).toBe(0); // nothing drawn: the canvas's background shows
	expect(errors).toEqual([]);
});

test('leaderboard → replay: the scrubber moves the car, play advances it, a second lap overlays with a gap', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto(BASE);
	const board = page.getByTestId('leaderboard');
	await expect(board.getByTestId('leaderboard-row').nth(1)).toBeVisible({ timeout: 60_000 }); // two clean laps
	await expect(board.getByTestId('leaderboard-row').first()).toContainText(/^1\s*0:4\d\.\d{3}\s*[\d.]+\s*[\d.]+\s*[\d.]+\s*\d+\s*v\d+\s*lapper/);
	expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
	await page.screenshot({ path: `${SCREENSHOTS}/laps-panel-1280.png`, fullPage: true });
	await board.getByTestId('leaderboard-row').first().getByRole('link').click();
	await expect(page).toHaveURL(/\/laps\/\d+$/);
	const map = page.getByTestId('replay-map');
	await expect.poll(() => centroidOf(map, '#7ccf8a').then((c) => c?.n ?? 0)).toBeGreaterThan(20);
	const start = (await centroidOf(map, '#7ccf8a'))!;
	await page.getByTestId('replay-scrubber').fill('20');
	await expect(page.getByTestId('replay-time')).toHaveText('20.0 s');
	await expect
		.poll(async () => Math.hypot(((await centroidOf(map, '#7ccf8a'))?.x ?? start.x) - start.x, ((await centroidOf(map, '#7ccf8a'))?.y ?? start.y) - start.y))
		.toBeGreaterThan(40);
	await page.getByTestId('replay-speed').selectOption('8');
	await page.getByTestId('replay-play').click();
	await expect.poll(async () => parseFloat((await page.getByTestId('replay-time').textContent()) ?? '0')).toBeGreaterThan(24);
	await page.getByTestId('replay-play').click(); // pause
	// By keyboard: the scrubber takes arrow keys, the play button Space.
	const scrubber = page.getByTestId('replay-scrubber');
	await scrubber.focus();
	const before = parseFloat((await page.getByTestId('replay-time').textContent()) ?? '0');
	await page.keyboard.press('ArrowRight');
	await page.keyboard.press('ArrowRight');
	await expect.poll(async () => parseFloat((await page.getByTestId('replay-time').textContent()) ?? '0')).toBeCloseTo(before + 0.2, 1);
	await page.getByTestId('replay-play').focus();
	await page.keyboard.press('Space');
	await expect(page.getByTestId('replay-play')).toHaveText('Pause');
	await page.keyboard.press('Space');
	await expect(page.getByTestId('replay-play')).toHaveText('Play');
	const overlay = page.getByTestId('replay-overlay');
	await expect.poll(async () => (await overlay.locator('option').count()) > 1).toBe(true);
	await overlay.selectOption({ index: 1 });
	await expect.poll(() => pixelsOf(map, '#c58af9', 30)).toBeGreaterThan(60); // its car (the lapper's laps are one line: the primary's covers it)
	await expect(page.getByTestId('replay-gap')).toHaveText(/^[+-]\d+\.\d{2} s$/);
	await expect.poll(() => pixelsOf(page.getByTestId('replay-inputs'), '#7ccf8a', 30)).toBeGreaterThan(50); // the throttle trace
	expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
	await page.screenshot({ path: `${SCREENSHOTS}/replay-1280.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('replay: the samples with a tyre out are marked on the map and counted at the scrubber', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	// A lap round a 200 × 100 m rectangle at one speed (its line all one colour), 10 Hz, with
	// tyres out from the second corner on (samples 20 … 25: 1, 2, 3, 4, 3, 2).
	const n = 60;
	const perimeter = 600;
	const at = (i: number) => {
		const s = (i / n) * perimeter;
		if (s < 200) return [s, 0];
		if (s < 300) return [200, s - 200];
		if (s < 500) return [500 - s, 100];
		return [0, 600 - s];
	};
	const out = new Uint8Array(n);
	out.set([1, 2, 3, 4, 3, 2], 20);
	const trace = {
		hz: 10,
		n,
		x: Float32Array.from({ length: n }, (_, i) => at(i)[0]),
		z: Float32Array.from({ length: n }, (_, i) => at(i)[1]),
		speedKmh: new Float32Array(n).fill(360),
		steer: new Float32Array(n),
		throttle: new Float32Array(n).fill(1),
		brake: new Float32Array(n),
		tyresOut: out
	};
	const sender = await connectLapSender(`ws://127.0.0.1:${PORT}/ws/actor`, TOKEN, 'offtrack');
	try {
		sender.send({ episodeId: 1, lap: 1, timeMs: 6000, clean: false, sectorsMs: [], maxSpeedKmh: 360, policyVersion: 0, trace });
		const lapId = async () => {
			const { laps } = (await (await fetch(`${BASE}/api/laps?actor=offtrack`)).json()) as { laps: LapEntry[] };
			return laps.find((l) => l.replay)?.id ?? 0;
		};
		await expect.poll(lapId).toBeGreaterThan(0);
		const id = await lapId();
		const replay = (await (await fetch(`${BASE}/api/laps/${id}/trace`)).json()) as LapReplay;
		expect(replay.tyresOut).toEqual(Array.from(out));
		await page.goto(`${BASE}/laps/${id}`);
		const map = page.getByTestId('replay-map');
		await expect.poll(() => pixelsOf(map, '#7ccf8a', 30)).toBeGreaterThan(20); // drawn, the car at the start
		await expect(page.getByTestId('replay-tyres-out')).toHaveText('0');
		// The map's own transform: the mark of each sample with a tyre out is red, the line elsewhere is not.
		const size = await map.evaluate((element) => ({ width: element.clientWidth, height: element.clientHeight }));
		const view = fit(trackOfTrace(replay), size.width, size.height);
		const spots = Array.from({ length: 40 }, (_, k) => [view.px(replay.x[k + 10]), view.py(replay.z[k + 10])] as const); // samples 10 … 49
		const colours = await map.evaluate((element, spots) => {
			const c = element as HTMLCanvasElement;
			const ctx = c.getContext('2d')!;
			const scale = c.width / c.clientWidth;
			return spots.map(([x, y]) => Array.from(ctx.getImageData(Math.round(x * scale), Math.round(y * scale), 1, 1).data));
		}, spots);
		const red = (rgb: number[]) => Math.abs(rgb[0] - 0xe0) + Math.abs(rgb[1] - 0x6c) + Math.abs(rgb[2] - 0x6c) <= 40;
		const marked = colours.map((rgb, k) => (red(rgb) ? k + 10 : -1)).filter((i) => i >= 0);
		expect(marked).toEqual([20, 21, 22, 23, 24, 25]);
		await page.getByTestId('replay-scrubber').fill('2.3');
		await expect(page.getByTestId('replay-tyres-out')).toHaveText('4');
		await page.screenshot({ path: `${SCREENSHOTS}/replay-tyres-out-1280.png`, fullPage: true });
	} finally {
		sender.close();
	}
	expect(errors).toEqual([]);
});
