/**
 * Laps in the console, against a server of its own: one simulated actor learning (its episodes
 * have no lap: gaps in the best-lap series) and one lapper (tests/e2e/lapper.ts: the sim's
 * reference driver at 100× real time, a lap of the oval in about half a second). The best-lap
 * chart must get a point, a y scale with labels and a text summary (last, min, max: the charts'
 * text alternative) once the table shows a lap.
 */
import { expect, test, type Locator } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { SCREENSHOTS, freePort, pixelsOf, watchErrors } from './helpers.ts';

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
