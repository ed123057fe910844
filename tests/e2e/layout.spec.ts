/**
 * The dashboard and the live actor view fit common screens: no horizontal page overflow at
 * 1280×720, 1440×900 and 1920×1080, and the actor table shows every column (its container does not clip
 * or scroll). Screenshots at both sizes go to screenshots/.
 */
import { expect, test, type Page } from '@playwright/test';
import { openConsole, SCREENSHOTS, waitForUpdates, watchErrors } from './helpers.ts';

const SIZES = [
	{ width: 1280, height: 720 },
	{ width: 1440, height: 900 },
	{ width: 1920, height: 1080 }
];

/** How far the page scrolls sideways (0 = it fits). */
const pageOverflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

for (const size of SIZES) {
	test(`fits ${size.width}×${size.height}: no horizontal overflow, every actor column shown`, async ({ page }) => {
		const errors = watchErrors(page);
		await page.setViewportSize(size);
		await openConsole(page);
		await expect(page.getByTestId('actor-row')).toHaveCount(2);
		await waitForUpdates(page, 1);
		await expect(page.getByTestId('actor-best-lap')).toHaveCount(2);
		await expect.poll(() => pageOverflow(page)).toBeLessThanOrEqual(0);
		const table = page.getByTestId('actor-table');
		// The table's own container neither clips nor hides columns behind a scrollbar.
		const clipped = () => table.evaluate((t) => (t.parentElement ? t.parentElement.scrollWidth - t.parentElement.clientWidth : 0));
		await expect.poll(clipped).toBeLessThanOrEqual(0);
		// Every header cell, the last one too, lies inside the visible page.
		const right = await table.locator('th').evaluateAll((cells) => Math.max(...cells.map((c) => c.getBoundingClientRect().right)));
		expect(right).toBeLessThanOrEqual(size.width);
		const disconnect = page.getByRole('button', { name: /^disconnect / }).first();
		await disconnect.scrollIntoViewIfNeeded(); // below the charts: scrolled to vertically, never sideways
		await expect(disconnect).toBeInViewport({ ratio: 1 });
		expect(await page.evaluate(() => window.scrollX)).toBe(0);
		await page.screenshot({ path: `${SCREENSHOTS}/dashboard-${size.width}.png`, fullPage: true });
		// The live actor view too.
		await page.getByTestId('actor-row').first().getByRole('link').click();
		await expect(page.getByTestId('speed')).toHaveText(/^\d+ km\/h$/);
		await expect.poll(() => pageOverflow(page)).toBeLessThanOrEqual(0);
		await page.screenshot({ path: `${SCREENSHOTS}/actor-${size.width}.png`, fullPage: true });
		expect(errors).toEqual([]);
	});
}
