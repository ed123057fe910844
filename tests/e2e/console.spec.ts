/**
 * The console in Chromium against the real server training two simulated actors (real
 * bridge-agent processes): charts, actor table, broadcast, pause/resume, checkpoints, evaluation,
 * hyperparameters, the live actor view, the login gate, and no browser errors. Each test first
 * waits for the console to be connected (controls stay disabled until then) and for positive
 * states; screenshots go to screenshots/.
 */
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { initBackend } from '../../src/lib/ppo/backend.ts';
import { loadCheckpoint } from '../../src/lib/ppo/checkpoint.ts';
import { CAR_COLORS, TRACK_FILL } from '../../src/lib/components/track-draw.ts';
import { controlResult, number, openConsole, pixelsOf, SCREENSHOTS, waitForUpdates, watchErrors } from './helpers.ts';

mkdirSync(SCREENSHOTS, { recursive: true });

/** Training-state texts of a run that is not paused. */
const RUNNING = /^(waiting for samples|training)$/;

test('dashboard: both actors, live curves, no errors', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1600, height: 1000 });
	await openConsole(page);
	await expect(page.getByTestId('actor-row')).toHaveCount(2);
	for (const row of await page.getByTestId('actor-row').all()) await expect(row).toContainText('sim-');
	await waitForUpdates(page, 3);
	await expect(page.getByTestId('point-count')).toHaveText(/^[1-9]\d* updates · \d+ episodes$/);
	// The trainer splits its updates over the two threads it was given, and its busy share shows.
	await expect(page.getByTestId('trainer-load')).toHaveText(/^2 threads · ([1-9]\d?|100) % busy$/);
	// The run's transition books: steps were trained, never more than were received (trained is
	// read first: received only grows), and the summary line balances.
	await expect.poll(() => number(page, 'transitions-trained')).toBeGreaterThan(0);
	const trained = await number(page, 'transitions-trained');
	expect(await number(page, 'transitions-received')).toBeGreaterThanOrEqual(trained);
	await expect(page.getByTestId('transitions-balance')).toHaveText(/^books:\s[\d,]+\sreceived = [\d,]+\strained \+ [\d,]+\sdropped \+ [\d,]+\sheld$/);
	// The curve itself is drawn (in its colour), not just an empty canvas.
	const policyLoss = page.locator('[data-testid="chart-policy loss"] canvas');
	await expect(policyLoss).toHaveCount(1);
	await expect.poll(() => pixelsOf(policyLoss, '#e06c6c')).toBeGreaterThan(20);
	await page.getByRole('radio', { name: 'updates' }).check();
	await expect(page.locator('[data-testid="chart-policy loss"]')).toContainText('updates');
	await expect.poll(() => pixelsOf(policyLoss, '#e06c6c')).toBeGreaterThan(20);
	await page.waitForTimeout(1500);
	await page.screenshot({ path: `${SCREENSHOTS}/dashboard.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('broadcast raises both actors to the current policy version', async ({ page }) => {
	await openConsole(page);
	await expect(page.getByTestId('actor-row')).toHaveCount(2);
	await waitForUpdates(page, 1);
	await page.getByTestId('pause').click(); // hold the version still while we check
	await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 30_000 });
	await page.getByTestId('broadcast').click();
	const { policyVersion, sent } = await controlResult<{ policyVersion: number; sent: number }>(page, 'broadcast');
	expect(sent).toBe(2);
	await expect(page.getByTestId('policy-version')).toHaveText(`v${policyVersion}`);
	await expect(page.getByTestId('acked-version')).toHaveText([`v${policyVersion}`, `v${policyVersion}`]);
	await page.getByTestId('resume').click();
	await expect(page.getByTestId('pause')).toBeEnabled();
	await expect(page.getByTestId('training-state')).toHaveText(RUNNING);
});

test('pause stops updates and resume restarts them', async ({ page }) => {
	await openConsole(page);
	await waitForUpdates(page, 1);
	await expect(page.getByTestId('training-state')).toHaveText(RUNNING);
	await page.getByTestId('pause').click();
	await expect(page.getByTestId('training-state')).toHaveText('paused', { timeout: 30_000 });
	await expect(page.getByTestId('resume')).toBeEnabled();
	const paused = await number(page, 'updates');
	await page.waitForTimeout(3000);
	await expect(page.getByTestId('training-state')).toHaveText('paused');
	expect(await number(page, 'updates')).toBe(paused);
	await page.getByTestId('resume').click();
	await expect.poll(() => number(page, 'updates'), { timeout: 60_000 }).toBeGreaterThan(paused);
	await expect(page.getByTestId('training-state')).toHaveText(RUNNING);
});

test('a saved checkpoint downloads and loads', async ({ page }) => {
	await openConsole(page);
	await waitForUpdates(page, 1); // a trainer exists, and its checkpoint has updates in it
	await page.getByTestId('save-checkpoint').click();
	const { id } = await controlResult<{ id: string }>(page, 'checkpoint');
	expect(id).toMatch(/^ckpt-\d{8}$/);
	const list = page.getByTestId('checkpoints');
	await expect(list.getByRole('link', { name: 'latest', exact: true })).toBeVisible();
	const link = list.getByRole('link', { name: id, exact: true });
	await expect(link).toBeVisible();
	const download = page.waitForEvent('download');
	await link.click();
	const path = await (await download).path();
	await initBackend(['cpu']);
	const { trainer } = loadCheckpoint(readFileSync(path));
	expect(trainer.counters.updates).toBeGreaterThan(0);
	trainer.dispose();
});

test('evaluate: each actor drives one deterministic episode and the panel shows it', async ({ page }) => {
	await openConsole(page);
	await waitForUpdates(page, 1);
	await page.getByTestId('evaluate').click();
	const { evalId, actors } = await controlResult<{ evalId: number; actors: string[] }>(page, 'evaluation');
	expect(evalId).toBeGreaterThan(0);
	expect(actors).toHaveLength(2);
	const row = page.getByTestId('evaluation-row').first();
	await expect(row).toContainText('2 / 2', { timeout: 60_000 });
	await expect(row.locator('td').nth(2)).toHaveText(/^-?\d+\.\d$/, { timeout: 5000 }); // the mean return of both
});

test('hyperparameters apply live', async ({ page }) => {
	await openConsole(page);
	await waitForUpdates(page, 1);
	const input = page.locator('input[name=entCoef]');
	await expect(input).toHaveAttribute('placeholder', /^\d/);
	const before = (await input.getAttribute('placeholder')) ?? '';
	const next = before === '0.005' ? '0.006' : '0.005';
	await input.fill(next);
	await page.getByTestId('apply-hyperparams').click();
	const result = await controlResult<{ learningRate: number; entCoef: number }>(page, 'hyperparameters');
	expect(result.entCoef).toBe(Number(next));
	await expect(input).toHaveAttribute('placeholder', next); // the learner's status says so too
	await input.fill(before);
	await page.getByTestId('apply-hyperparams').click();
	await expect(input).toHaveAttribute('placeholder', before);
});

test('live actor view: speed, traces and track map', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1400, height: 800 });
	await openConsole(page);
	const link = page.getByTestId('actor-row').first().getByRole('link');
	await expect(link).toHaveText(/^sim-/);
	const name = (await link.textContent()) ?? '';
	await link.click();
	await expect(page).toHaveURL(/\/actors\/[^/]+$/);
	await expect(page.getByTestId('actor-name')).toHaveText(name);
	await expect(page.getByTestId('speed')).toHaveText(/^\d+ km\/h$/);
	await expect(page.getByTestId('actor-transitions-received')).toHaveText(/^[\d,]+$/); // this actor id's books
	const map = page.getByTestId('track-map');
	await expect.poll(() => pixelsOf(map, TRACK_FILL, 12)).toBeGreaterThan(2000); // the track (its TRACK)
	await expect(page.getByText(/^(mixed|oval) · \d\.\d\d km · the current lap/)).toBeVisible();
	await expect.poll(async () => (await pixelsOf(map, CAR_COLORS[0], 30)) + (await pixelsOf(map, '#e06c6c', 30))).toBeGreaterThan(10); // the car
	await expect.poll(() => pixelsOf(page.locator('[data-testid="chart-speed (km/h)"] canvas'), '#8ab4f8')).toBeGreaterThan(20);
	await page.waitForTimeout(1500);
	await page.screenshot({ path: `${SCREENSHOTS}/actor.png`, fullPage: true });
	expect(errors).toEqual([]);
});

test('the login gate holds when a console token is set', async ({ browser }) => {
	const port = 4391;
	const server = spawn(
		process.execPath,
		['--import', 'tsx', 'server.ts', '--port', String(port), '--sim-actors', '0', '--console-token', 'gate-secret', '--runs-dir', '.test-output/runs-gate'],
		{ stdio: 'ignore' }
	);
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
		await expect(page).toHaveURL(`http://127.0.0.1:${port}/`);
		await expect(page.getByTestId('connection')).toHaveText('connected');
		await expect(page.getByTestId('save-checkpoint')).toBeEnabled();
		expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
	} finally {
		server.kill('SIGTERM');
	}
});

test('a refused actor connection is counted on the console', async ({ page, baseURL }) => {
	const status = await new Promise<number>((resolve, reject) => {
		const ws = new WebSocket(`${baseURL!.replace(/^http/, 'ws')}/ws/actor`, { headers: { authorization: 'Bearer not-the-token' } });
		ws.once('unexpected-response', (_req, res) => (res.resume(), resolve(res.statusCode ?? 0)));
		ws.once('open', () => reject(new Error('a wrong actor token was accepted')));
		ws.once('error', reject);
	});
	expect(status).toBe(401);
	await page.goto('/');
	await expect(page.getByTestId('refusals')).toContainText('upgrade 401');
});
