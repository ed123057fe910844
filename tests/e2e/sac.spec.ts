/**
 * A SAC run in the console, against a server of its own (--algo sac, two simulated actors): the
 * header names the algorithm, the replay buffer gauge fills and reports the update-to-data ratio
 * and per-actor shares, SAC's charts replace PPO's, and the live edits are SAC's own settings.
 */
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { SCREENSHOTS, controlResult, freePort, watchErrors } from './helpers.ts';

const SAC = { hiddenSizes: [32, 32], batchSize: 64, learningStarts: 300, broadcastEvery: 20, utd: 0.5 };

let BASE = '';
let server: ChildProcess | undefined;

test.beforeAll(async () => {
	const port = await freePort();
	BASE = `http://127.0.0.1:${port}`;
	const args = [
		'build/server.js',
		'--port',
		String(port),
		'--sim-actors',
		'2',
		'--runs-dir',
		'.test-output/runs-sac',
		'--algo',
		'sac',
		'--sac',
		JSON.stringify(SAC)
	];
	server = spawn(process.execPath, [...args, '--log-level', 'warn'], { stdio: ['pipe', 'ignore', 'inherit'] });
	await expect.poll(async () => (await fetch(`${BASE}/api/status`).catch(() => undefined))?.status, { timeout: 30_000 }).toBe(200);
});

test.afterAll(async () => {
	await new Promise<void>((done) => {
		if (!server || server.exitCode !== null) return done();
		server.once('exit', () => done());
		server.kill('SIGTERM');
		setTimeout(() => server?.kill('SIGKILL'), 3000).unref();
	});
});

test('a SAC run: algorithm, replay buffer, UTD, SAC charts and SAC live edits', async ({ page }) => {
	const errors = watchErrors(page);
	await page.setViewportSize({ width: 1440, height: 900 });
	await page.goto(BASE);
	await expect(page.getByTestId('connection')).toHaveText('connected');
	await expect(page.getByTestId('algo')).toHaveText('SAC');
	const gauge = page.getByTestId('replay-gauge');
	await expect(gauge).toBeVisible();
	await expect.poll(async () => Number(await gauge.getAttribute('aria-valuenow')), { timeout: 60_000 }).toBeGreaterThan(SAC.learningStarts);
	await expect(page.getByTestId('replay-fill')).toHaveText(/^\d+ \/ 1\.0 M transitions \(\d+\.\d %\)$/);
	await expect(page.getByRole('list', { name: 'transitions held per actor' }).getByRole('listitem')).toHaveCount(2);
	await expect(page.getByTestId('utd')).toHaveText(/^UTD \d\.\d\d of 0\.5 target · \d+ gradient steps\/s/, { timeout: 60_000 });
	await expect(page.getByTestId('chart-Q loss').getByTestId('chart-summary')).toHaveText(/^qf1_loss: last /, { timeout: 60_000 });
	await expect(page.getByTestId('chart-entropy coefficient α')).toBeVisible();
	await expect(page.getByTestId('chart-policy loss')).toHaveCount(0);
	await expect(page.getByTestId('buffer-gauge')).toHaveCount(0);

	// SAC's live settings: the form offers them, the learner applies them.
	await page.locator('input[name="utd"]').fill('0.25');
	await page.getByTestId('apply-hyperparams').click();
	const applied = await controlResult<Record<string, number>>(page, 'hyperparameters');
	expect(applied).toMatchObject({ utd: 0.25 });
	expect(Object.keys(applied).sort()).toEqual(['policyLr', 'qLr', 'utd']);
	await expect(page.getByTestId('utd')).toHaveText(/of 0\.25 target/);
	await page.screenshot({ path: `${SCREENSHOTS}/sac-1440.png`, fullPage: true });
	expect(errors).toEqual([]);
});
