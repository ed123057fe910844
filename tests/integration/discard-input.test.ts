/** discardInput on a real ws pair: frames after a refusal are not parsed, and the close handshake still completes at once. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { discardInput } from '../../src/lib/server/ws/discard-input.ts';

it('drops what a refused peer still sends, unparsed, and both sides see the close code without waiting for a timer', async () => {
	const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
	await once(server, 'listening');
	let parsed = 0;
	const serverClosed = new Promise<number>((resolve) => {
		server.on('connection', (ws) => {
			ws.on('message', () => {
				parsed++;
				ws.close(4006, 'RATE_LIMITED');
				discardInput(ws);
			});
			ws.on('close', (code) => resolve(code));
		});
	});
	const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
	await once(client, 'open');
	const started = Date.now();
	for (let i = 0; i < 500; i++) client.send(new Uint8Array(4096)); // one burst of 2 MB: the first frame is refused
	const [code] = (await once(client, 'close')) as [number];
	assert.equal(code, 4006, 'the client saw the server close code');
	await serverClosed;
	assert.ok(parsed < 100, `${parsed} of 500 frames parsed: only those in the chunk being read when the refusal came`);
	assert.ok(Date.now() - started < 5000, 'closed by the handshake, not by ws’s 30 s close timer');
	server.close();
});
