/**
 * Controls act through client code, so they are disabled until the page has hydrated AND the
 * console socket brought the learner's state: server-rendered HTML ships them disabled, they
 * re-disable when the socket drops and come back on reconnect, and the header says why.
 * The console socket is routed through Playwright here so each phase can be held open.
 */
import { expect, test, type APIRequestContext, type Page, type WebSocketRoute } from '@playwright/test';
import { learnerControls } from './helpers.ts';

/** Broadcast answers 409 until the trainer has a policy: wait for the first update. */
async function waitForPolicy(request: APIRequestContext): Promise<void> {
	await expect.poll(async () => (await (await request.get('/api/status')).json()).updates, { timeout: 60_000 }).toBeGreaterThan(0);
}

const BROADCAST_DONE = /^broadcast: \{"policyVersion":\d+,"sent":2\}$/;

async function expectAll(page: Page, state: 'enabled' | 'disabled'): Promise<void> {
	for (const control of learnerControls(page)) {
		if (state === 'enabled') await expect(control).toBeEnabled();
		else await expect(control).toBeDisabled();
	}
	const disconnect = page.getByRole('button', { name: /^disconnect / });
	await expect(disconnect).toHaveCount(2);
	for (const button of await disconnect.all()) {
		if (state === 'enabled') await expect(button).toBeEnabled();
		else await expect(button).toBeDisabled();
	}
}

function gate(): { promise: Promise<void>; resolve: () => void } {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return { promise, resolve };
}

/** A hold on the console socket: `connect` (the upgrade) and `deliver` (server → page) phases. */
class Valve {
	private gates = { connect: gate(), deliver: gate() };
	readonly routes: WebSocketRoute[] = [];

	hold(phase: 'connect' | 'deliver'): void {
		this.gates[phase] = gate();
	}

	release(phase: 'connect' | 'deliver'): void {
		this.gates[phase].resolve();
	}

	async install(page: Page): Promise<void> {
		await page.routeWebSocket(/\/ws\/console$/, async (ws) => {
			await this.gates.connect.promise;
			this.routes.push(ws);
			const server = ws.connectToServer();
			const deliver = this.gates.deliver.promise;
			server.onMessage(async (message) => {
				await deliver;
				ws.send(message);
			});
		});
	}
}

test('server-rendered controls are disabled and say why (no JavaScript)', async ({ browser }) => {
	const context = await browser.newContext({ javaScriptEnabled: false });
	try {
		const page = await context.newPage();
		await page.goto('/');
		await expect(page.getByTestId('connection')).toHaveText('loading…');
		await expect(page.getByTestId('controls-hint')).toHaveText(/connected to the learner/);
		for (const control of learnerControls(page)) await expect(control).toBeDisabled();
		await expect(page.getByRole('radio', { name: 'updates' })).toBeDisabled();
		// Nothing on the page can be operated before the client code runs.
		expect(await page.locator('button, input').count()).toBeGreaterThanOrEqual(9);
		await expect(page.locator('button:enabled, input:enabled')).toHaveCount(0);
	} finally {
		await context.close();
	}
});

test('a click while the page is still hydrating waits for its handler (the CI flake)', async ({ page, request }) => {
	await waitForPolicy(request);
	// Client code held back: the server-rendered button is there long before its handler is.
	const scripts = gate();
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await scripts.promise;
		await route.continue();
	});
	await page.goto('/', { waitUntil: 'domcontentloaded' });
	await expect(page.getByTestId('connection')).toHaveText('loading…');
	await expect(page.getByTestId('broadcast')).toBeDisabled();
	const click = page.getByTestId('broadcast').click(); // issued before hydration: waits until enabled
	await page.waitForTimeout(500);
	scripts.resolve();
	await click;
	await expect(page.getByTestId('control-message')).toHaveText(BROADCAST_DONE);
});

test('controls wait for the console socket, re-disable when it drops, re-enable on reconnect', async ({ page, request }) => {
	await waitForPolicy(request);
	const valve = new Valve();
	await valve.install(page);
	await page.goto('/');

	// Hydrated (view controls work, the header counts down), but the socket is not open.
	await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connecting');
	await expect(page.getByTestId('connection')).toHaveText('connecting…');
	await expect(page.getByRole('radio', { name: 'updates' })).toBeEnabled();
	for (const control of learnerControls(page)) await expect(control).toBeDisabled();
	await expect(page.getByTestId('controls-hint')).toBeVisible();

	// Open, but no status yet: the pause/resume choice would be a guess, so still disabled.
	valve.release('connect');
	await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'syncing');
	for (const control of learnerControls(page)) await expect(control).toBeDisabled();

	valve.release('deliver');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	await expectAll(page, 'enabled');
	await expect(page.getByTestId('controls-hint')).toHaveCount(0);

	// The socket drops: everything disables and the header says so, until it is back.
	valve.hold('connect');
	await valve.routes[0].close();
	await expect(page.getByTestId('connection')).toHaveText('connection lost, reconnecting…');
	await expectAll(page, 'disabled');
	await expect(page.getByTestId('controls-hint')).toBeVisible();

	valve.release('connect');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	expect(valve.routes).toHaveLength(2);
	await expectAll(page, 'enabled');
	// And the handlers act after the reconnect.
	await page.getByTestId('broadcast').click();
	await expect(page.getByTestId('control-message')).toHaveText(BROADCAST_DONE);
});
