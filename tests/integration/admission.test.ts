/** What a real actor meets at admission: PPO settings made for its spec, and its bytes counted once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloseCode, MessageType, encodeMessage, type Handshake } from '../../src/lib/protocol/index.ts';
import { seedHandshake } from '../fixtures/trajectory.ts';
import { TestClient, startTestServer, waitFor, wsUrl } from './helpers.ts';

const TOKEN = 'actor-secret';

/** An actor with a two-dimensional action that is not the driving one. */
function twoActionHello(actorId: string): Handshake {
	const hello = seedHandshake(actorId, 'local', TOKEN);
	return { ...hello, actionSpec: { dim: 2, names: ['left', 'right'], low: new Float32Array([-1, -1]), high: new Float32Array([1, 1]) } };
}

async function connect(ctx: Awaited<ReturnType<typeof startTestServer>>): Promise<TestClient> {
	const client = new TestClient(wsUrl(ctx.server, '/ws/actor'), { authorization: `Bearer ${TOKEN}` });
	await client.opened;
	return client;
}

describe('admission', () => {
	it('an actor whose action differs from the driving one trains with the generic defaults', async () => {
		const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: { hiddenSizes: [8], nSteps: 64 } });
		try {
			const client = await connect(ctx);
			client.send(encodeMessage(twoActionHello('two')));
			await client.expect(MessageType.HANDSHAKE_ACCEPT);
			const weights = await client.expect(MessageType.WEIGHTS_UPDATE, 20_000);
			const logStd = weights.manifest.tensors.find((t) => /log_?std/i.test(t.name));
			assert.deepStrictEqual(logStd?.shape, [2]);
			assert.ok(ctx.runtime.status().state !== 'idle');
			client.close();
		} finally {
			await ctx.server.close();
		}
	});

	it('PPO settings that cannot train for the first actor are refused at handshake with the reason', async () => {
		const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: { hiddenSizes: [8], nSteps: 64, initActionMean: [0, 0.5, -0.5] } });
		try {
			const client = await connect(ctx);
			client.send(encodeMessage(twoActionHello('two')));
			const error = await client.expect(MessageType.ERROR);
			assert.equal(error.code, 'SPEC_MISMATCH');
			assert.match(error.message, /initActionMean has 3 values .* the action has 2/);
			assert.equal((await client.closed).code, CloseCode.SPEC_MISMATCH);
			assert.equal(ctx.runtime.status().state, 'idle'); // no trainer was started for it
		} finally {
			await ctx.server.close();
		}
	});

	it('counts every byte sent to an actor once (weights included)', async () => {
		const ctx = await startTestServer({ actorToken: TOKEN }, { ppo: { hiddenSizes: [8], nSteps: 64 } });
		try {
			const client = await connect(ctx);
			let received = 0;
			client.socket.on('message', (data: Buffer) => (received += data.length));
			client.send(encodeMessage(seedHandshake('sim-1', 'local', TOKEN)));
			await client.expect(MessageType.WEIGHTS_UPDATE, 20_000);
			const entry = ctx.runtime.actor('sim-1')!;
			await waitFor(() => received === entry.bytesOut, `bytesOut ${entry.bytesOut} to match the ${received} bytes received`);
			assert.ok(received > 1000, 'the weights frame was counted');
			client.close();
		} finally {
			await ctx.server.close();
		}
	});
});
