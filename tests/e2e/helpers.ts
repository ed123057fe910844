/**
 * Shared pieces of the console's browser tests. Every assertion here waits for a positive state
 * (an element that exists and shows what it should): a negated or count-zero check on an element
 * not rendered yet would pass without testing anything.
 */
import { expect, type Locator, type Page } from '@playwright/test';
import { createServer } from 'node:net';

export const SCREENSHOTS = 'screenshots';

export function watchErrors(page: Page): string[] {
	const errors: string[] = [];
	page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
	page.on('pageerror', (e) => errors.push(e.message));
	return errors;
}

/** The number shown by a test id ("v12" → 12); NaN while the element is absent. */
export async function number(page: Page, testId: string): Promise<number> {
	const locator = page.getByTestId(testId);
	if ((await locator.count()) === 0) return NaN;
	const text = (await locator.textContent())?.replace(/[^\d.]/g, '') ?? '';
	return text === '' ? NaN : Number(text);
}

/** Waits until the header shows at least `min` updates (the trainer runs and reports). */
export async function waitForUpdates(page: Page, min: number, timeout = 60_000): Promise<number> {
	await expect.poll(() => number(page, 'updates'), { timeout }).toBeGreaterThanOrEqual(min);
	return number(page, 'updates');
}

/** Opens the dashboard and waits until the console socket brought current state. */
export async function openConsole(page: Page): Promise<void> {
	await page.goto('/');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	await expect(page.getByTestId('training-state')).toBeVisible();
}

/** The JSON a control reported in the message line, once it starts with `what: {`. */
export async function controlResult<T>(page: Page, what: string): Promise<T> {
	const message = page.getByTestId('control-message');
	await expect(message).toHaveText(new RegExp(`^${what}: \\{`));
	return JSON.parse(((await message.textContent()) ?? '').slice(what.length + 2)) as T;
}

/**
 * Pixels of a 2-D canvas (uPlot's, the track map) close to an RGB colour: whether a curve or
 * trace in that colour was actually drawn, not just that an empty canvas exists.
 */
export function pixelsOf(canvas: Locator, hex: string, tolerance = 48): Promise<number> {
	return canvas.evaluate(
		(element, [hex, tolerance]) => {
			const c = element as HTMLCanvasElement;
			const ctx = c.getContext('2d');
			if (!ctx || c.width === 0 || c.height === 0) return 0;
			const { data } = ctx.getImageData(0, 0, c.width, c.height);
			const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
			let n = 0;
			for (let i = 0; i < data.length; i += 4) {
				if (data[i + 3] < 128) continue;
				if (Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) <= tolerance) n++;
			}
			return n;
		},
		[hex, tolerance] as const
	);
}

/** The controls that act on the learner through client code (one per kind). */
export function learnerControls(page: Page): Locator[] {
	const controls = page.getByRole('region', { name: 'controls' });
	return [
		page.getByTestId('broadcast'),
		page.getByTestId('pause').or(page.getByTestId('resume')),
		page.getByTestId('save-checkpoint'),
		page.getByTestId('evaluate'),
		page.getByTestId('apply-hyperparams'),
		controls.locator('input[name=learningRate]'),
		controls.locator('input[name=entCoef]')
	];
}

/** A port free now (the OS picks it): two suites on one machine do not collide. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}
