/** The placeholder page against the real server: live status over /ws/console, a real actor joining. */
import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import WebSocket from 'ws';
import { MessageType, encodeMessage, type Handshake } from '../../src/lib/protocol/index.ts';
import { SAMPLE_MESSAGES } from '../fixtures/messages.ts';

const SCREENSHOTS = 'screenshots';

test('shows live learner status and counts a connecting actor', async ({ page, baseURL }) => {
	const errors: string[] = [];
	page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
	page.on('pageerror', (error) => errors.push(error.message));

	await page.goto('/');
	await expect(page.getByTestId('connection')).toHaveText('connected');
	await expect(page.getByTestId('run-id')).not.toBeEmpty();
	await expect(page.getByTestId('actors')).toHaveText('0');

	const actor = new WebSocket(baseURL!.replace('http', 'ws') + '/ws/actor', { headers: { authorization: 'Bearer e2e-actor-token' } });
	await new Promise((resolve) => actor.once('open', resolve));
	actor.send(encodeMessage({ ...(SAMPLE_MESSAGES.handshake as Handshake), token: 'e2e-actor-token' }));
	await new Promise((resolve) => actor.once('message', resolve));
	await expect(page.getByTestId('actors')).toHaveText('1');
	actor.send(encodeMessage({ type: MessageType.PING, seq: 1, t: 1 }));
	actor.close();
	await expect(page.getByTestId('actors')).toHaveText('0');

	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: `${SCREENSHOTS}/status-page.png` });
	expect(errors).toEqual([]);
});
