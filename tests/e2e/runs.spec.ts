/**
 * The runs page against a server of its own, whose runs directory also holds a finished run
 * written here (another learning rate, returns far above the live run's): both runs are listed,
 * their returns overlay on one chart (each in its colour), the setting that differs is marked,
 * and a past run's checkpoint downloads.
 */
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAR_COLORS } from '../../src/lib/components/track-draw.ts';
import { SCREENSHOTS, freePort, pixelsOf, watchErrors } from './helpers.ts';

const RUNS = '.test-output/runs-compare';
const PAST = 'past-run';
let BASE = '';
let server: ChildProcess | undefined;

function writePastRun(): void {
	const dir = join(RUNS, PAST);
	mkdirSync(join(dir, 'checkpoints'), { recursive: true });
	writeFileSync(join(dir, 'config.json'), JSON.stringify({ runId: PAST, algo: 'ppo', ppo: { learningRate: 0.001, nSteps: 1024 } }));
	const t0 = Date.now() - 3_600_000;
	const lines = Array.from({ length: 400 }, (_, i) =>
		JSON.stringify({
			kind: 'episode',
			step: (i + 1) * 500,
			time: t0 + i * 1000,
			actorId: 'old',
			return: 600 + 100 * Math.sin(i / 20),
			length: 500,
			lapTimesMs: [],
			cleanLaps: 0,
			policyVersion: i
		})
	);
	writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
	writeFileSync(join(dir, 'checkpoints', 'latest.zip'), 'PK-not-really-a-zip');
}

test.beforeAll(async () => {
	rmSync(RUNS, { recursive: true, force: true });
	writePastRun();
	const port = await freePort();
	BASE = `http://127.0.0.1:${port}`;
	server = spawn(
		process.execPath,
		['build/server.js', '--port', String(port), '--sim-actors', '1', '--runs-dir', RUNS, '--ppo', '{"nSteps":1024}', '--log-level', 'warn'],
		{
			stdio: ['pipe', 'ignore', 'inherit']
		}
	);
	await expect.poll(async () => (await fetch(`${BASE}/api/status`).catch(() => undefined))?.status, { timeout: 30_000 }).toBe(200);
});

test.afterAll(async () => {
	await new Promise<void>((done) => {
		if (!server || server.exitCode !== null) return done();
		server.once('exit', () => done());
		server.kill('SIGTERM');
	});
});

test('two runs overlay on one chart; the differing setting is marked; a past checkpoint downloads', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1280, height: 720 });
	await page.goto(BASE);
	await page.getByTestId('runs-link').click();
	await expect(page).toHaveURL(/\/runs$/);
	const rows = page.getByTestId('run-row');
	await expect(rows).toHaveCount(2);
	await expect(rows.nth(0)).toContainText('live');
	await expect(rows.nth(1)).toContainText(PAST);
	await expect(rows.nth(1)).toContainText('finished');
	// The live run needs a few episodes before it has a curve.
	await expect.poll(async () => (await (await fetch(`${BASE}/api/runs`)).json())[0].lastAt, { timeout: 60_000 }).not.toBeNull();
	await page.reload();
	const chart = page.getByTestId('overlay-chart').locator('canvas');
	await expect.poll(() => pixelsOf(chart, CAR_COLORS[1], 40), { timeout: 30_000 }).toBeGreaterThan(100); // the past run's returns
	await expect.poll(() => pixelsOf(chart, CAR_COLORS[0], 40), { timeout: 30_000 }).toBeGreaterThan(20); // the live run's
	await expect(page.getByTestId('overlay-summary')).toContainText(`${PAST}: last`);
	const differs = page.getByTestId('config-differs');
	await expect(differs.filter({ hasText: 'ppo.learningRate' })).toHaveCount(1);
	await expect(differs.filter({ hasText: 'ppo.learningRate' })).toContainText('0.001');
	await expect(page.getByTestId('config-same')).toHaveCount(0); // shared settings only on request
	await page.getByTestId('all-settings').check();
	await expect(page.getByTestId('config-same').first()).toBeVisible();
	const link = rows.nth(1).getByTestId('run-checkpoint');
	await expect(link).toHaveText('latest');
	const download = await fetch(new URL((await link.getAttribute('href'))!, BASE));
	expect(download.status).toBe(200);
	expect(await download.text()).toBe('PK-not-really-a-zip');
	expect((await fetch(`${BASE}/api/runs/..%2F..%2Fetc/config`)).status).toBe(400);
	expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
	await page.screenshot({ path: `${SCREENSHOTS}/runs-1280.png`, fullPage: true });
	expect(errors).toEqual([]);
});
