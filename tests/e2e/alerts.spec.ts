/**
 * Alerts and screen readers. The console socket is routed through Playwright so the test plays
 * the learner's alert list: an actor "silent for N s" rewritten at 4 Hz, as the learner sends it.
 * The raise is announced once (role="alert"), the rewrites are not (no live region's text
 * changes on the timer), and the clearing is announced politely (role="status").
 */
import { expect, test } from '@playwright/test';
import type { Alert } from '../../src/lib/protocol/index.ts';
import { watchErrors } from './helpers.ts';

test('alerts: announced once when raised, not re-announced on every rewrite, cleared politely', async ({ page }) => {
	const errors = watchErrors(page);
	let alerts: Alert[] = [];
	let send: ((alerts: Alert[]) => void) | undefined;
	await page.routeWebSocket(/\/ws\/console$/, (ws) => {
		const server = ws.connectToServer();
		server.onMessage((message) => {
			// The learner's own alert lists are replaced by the test's.
			if (typeof message === 'string' && message.startsWith('{"type":"alerts"')) return;
			ws.send(message);
		});
		send = (list) => ws.send(JSON.stringify({ type: 'alerts', alerts: list }));
		send(alerts);
	});
	await page.goto('/');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	// Count text changes inside live regions from here on (what a screen reader would re-read).
	await page.evaluate(() => {
		const w = window as unknown as { liveMutations: string[] };
		w.liveMutations = [];
		new MutationObserver((records) => {
			for (const r of records) {
				const node = r.target.nodeType === Node.ELEMENT_NODE ? (r.target as Element) : r.target.parentElement;
				const region = node?.closest('[role=alert],[role=status],[aria-live]');
				if (region && region.getAttribute('data-testid') !== 'connection') w.liveMutations.push(`${region.getAttribute('role')}: ${region.textContent}`);
			}
		}).observe(document.body, { subtree: true, childList: true, characterData: true });
	});
	let seconds = 3;
	const tick = () => {
		alerts = [{ id: 9001, kind: 'actor-lost', message: `actor sim-9 silent for ${seconds++} s`, at: Date.now(), actorId: 'sim-9' }];
		send?.(alerts);
	};
	tick();
	const timer = setInterval(tick, 250);
	try {
		const list = page.getByTestId('alerts');
		await expect(list).toContainText('actor sim-9 silent for');
		const raised = page.getByRole('alert');
		await expect(raised).toHaveText('actor lost: actor sim-9 silent for 3 s');
		// The visible message keeps counting…
		await expect(list).toContainText(/silent for (1[2-9]|[2-9]\d) s/, { timeout: 20_000 });
		// …but no live region: the visible list is not one, and the announcement stayed as raised.
		await expect(list.locator('[role=alert], [role=status], [aria-live]')).toHaveCount(0);
		await expect(raised).toHaveText('actor lost: actor sim-9 silent for 3 s');
		const mutations = await page.evaluate(() => (window as unknown as { liveMutations: string[] }).liveMutations);
		expect(mutations.filter((m) => m.includes('silent for')).length).toBeLessThanOrEqual(1);
	} finally {
		clearInterval(timer);
	}
	// Cleared: said once, politely.
	alerts = [];
	send?.(alerts);
	await expect(page.getByRole('status').filter({ hasText: 'alert cleared' })).toHaveText('alert cleared: actor lost');
	await expect(page.getByTestId('alerts')).toHaveCount(0);
	expect(errors).toEqual([]);
});
