/**
 * The console in Chromium against the real server training two simulated actors (real
 * bridge-agent processes): charts, actor table, broadcast, pause/resume, checkpoints, the live
 * actor view, the login gate, and no browser errors. Screenshots go to screenshots/.
 */
import { expect, test, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { initBackend } from '../../src/lib/ppo/backend.ts';
import { loadCheckpoint } from '../../src/lib/ppo/checkpoint.ts';

const SCREENSHOTS = 'screenshots';
mkdirSync(SCREENSHOTS, { recursive: true });

function watchErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

const number = async (page: Page, testId: string) => Number((await page.getByTestId(testId).textContent())?.replace(/[^\d.]/g, ''));

test('dashboard: both actors, live curves, no errors', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1600, height: 1000 });
	await page.goto('/');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	await expect(page.getByTestId('actor-row')).toHaveCount(2);
	await expect(page.getByTestId('actor-row').first()).toContainText('sim-');
	await expect.poll(() => number(page, 'updates'), { timeout: 60_000 }).toBeGreaterThan(2);
	await expect(page.getByTestId('point-count')).not.toHaveText(/^0 updates/);
	await expect(page.locator('[data-testid="chart-policy loss"] canvas')).toHaveCount(1);
	await page.waitForTimeout(1500);
	await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('broadcast raises both actors to the current policy version', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByTestId('actor-row')).toHaveCount(2);
	await page.getByTestId('pause').click(); // hold the version still while we check
	await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 30_000 });
	await page.getByTestId('broadcast').click();
	await expect(page.getByTestId('control-message')).toContainText('"sent":2');
	const version = await number(page, 'policy-version');
	for (const cell of await page.getByTestId('acked-version').all()) await expect(cell).toHaveText(`v${version}`);
	await page.getByTestId('resume').click();
	await expect(page.getByTestId('pause')).toBeVisible();
});

test('pause stops updates and resume restarts them', async ({ page }) => {
	await page.goto('/');
	await expect(page.getByTestId('training-state')).not.toHaveText('paused');
	await page.getByTestId('pause').click();
	await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 30_000 });
	const paused = await number(page, 'updates');
	await page.waitForTimeout(3000);
	expect(await number(page, 'updates')).toBe(paused);
	await page.getByTestId('resume').click();
	await expect.poll(() => number(page, 'updates'), { timeout: 60_000 }).toBeGreaterThan(paused);
});

test('a saved checkpoint downloads and loads', async ({ page }) => {
	await page.goto('/');
	await page.getByTestId('save-checkpoint').click();
	await expect(page.getByTestId('control-message')).toContainText('checkpoint: {"id"');
	await expect(page.getByTestId('checkpoints').getByRole('link', { name: 'latest' })).toBeVisible();
	const download = page.waitForEvent('download');
	await page.getByTestId('checkpoints').getByRole('link', { name: 'latest' }).click();
	const path = await (await download).path();
	const { readFileSync } = await import('node:fs');
	await initBackend(['cpu']);
	const { trainer } = loadCheckpoint(readFileSync(path));
	expect(trainer.counters.updates).toBeGreaterThan(0);
	trainer.dispose();
});

test('live actor view: speed, traces and track map', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1400, height: 800 });
	await page.goto('/');
	await page.getByTestId('actor-row').first().getByRole('link').click();
	await expect(page.getByTestId('actor-name')).toContainText('sim-');
	await expect(page.getByTestId('speed')).toContainText('km/h');
	await expect(page.getByTestId('track-map')).toBeVisible();
	await page.waitForTimeout(1500);
	await page.screenshot({ path: `${SCREENSHOTS}/actor.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('the login gate holds when a console token is set', async ({ browser }) => {
	const port = 4391;
	const server = spawn(process.execPath, ['--import', 'tsx', 'server.ts', '--port', String(port), '--sim-actors', '0', '--console-token', 'gate-secret', '--runs-dir', '.test-output/runs-gate'], { stdio: 'ignore' });
	try {
		const page = await browser.newPage();
		const errors = watchErrors(page);
		await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/login`).catch(() => undefined))?.status, { timeout: 30_000 }).toBe(200);
		expect((await fetch(`http://127.0.0.1:${port}/api/status`)).status).toBe(401);
		await page.goto(`http://127.0.0.1:${port}/`);
		await expect(page).toHaveURL(/\/login$/);
		await page.fill('input[name=token]', 'wrong');
		await page.click('button[type=submit]');
		await expect(page.getByRole('alert')).toHaveText('wrong token');
		await page.fill('input[name=token]', 'gate-secret');
		await page.click('button[type=submit]');
		await expect(page.getByTestId('connection')).toHaveText('connected');
		expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
	} finally {
		server.kill('SIGTERM');
	}
});
