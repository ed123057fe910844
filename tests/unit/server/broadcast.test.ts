/** Weight broadcasts: slow sockets get only the newest weights (coalesced), never a queue, never silence. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Decoder, MessageType, type Message } from '../../../src/lib/protocol/index.ts';
import { parseServerConfig } from '../../../src/lib/server/config.ts';
import { silentLog } from '../../../src/lib/server/log.ts';
import { Runtime, type ActorLink } from '../../../src/lib/server/runtime/index.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

class FakeLink implements ActorLink {
	bufferedAmount = 0;
	readonly frames: Message[] = [];
	private readonly decoder = new Decoder();
	send(message: Message): void {
		this.frames.push(message);
	}
	sendFrame(frame: Uint8Array): void {
		this.frames.push(this.decoder.decode(frame));
	}
	close(): void {}
	weights(): number[] {
		return this.frames.filter((m) => m.type === MessageType.WEIGHTS_UPDATE).map((m) => (m.type === MessageType.WEIGHTS_UPDATE ? m.manifest.policyVersion : -1));
	}
}

const base = parseServerConfig([], {});
const runtime = new Runtime(
	{
		...base,
		learner: {
			...base.learner,
			runsDir: mkdtempSync(join(tmpdir(), 'pitwall-bc-')),
			runId: 'bc',
			backends: ['cpu'],
			ppo: { hiddenSizes: [8], nSteps: 64 },
			weightsMaxBufferedBytes: 1000
		}
	},
	{ log: silentLog, timer: false }
);
after(() => runtime.shutdown());

it('coalesces weights for a slow socket and catches it up with the newest', async () => {
	const fast = new FakeLink();
	const slow = new FakeLink();
	runtime.admit(seedHandshake('fast'), 'x', fast);
	runtime.admit(seedHandshake('slow'), 'x', slow);
	await runtime.training.started; // the first policy goes out to both when the trainer is ready
	assert.deepStrictEqual(fast.weights(), [1]);

	slow.bufferedAmount = 5000; // over the limit: nothing more is queued on it
	for (let i = 0; i < 3; i++) runtime.broadcast();
	assert.deepStrictEqual(slow.weights(), [1]);
	assert.equal(runtime.actorInfos().find((x) => x.id === 'slow')!.weightsPending, true);

	slow.bufferedAmount = 0; // drained: the next tick sends the newest weights once, not three times
	runtime.tick();
	runtime.tick();
	assert.deepStrictEqual(slow.weights(), [1, 1]);
	assert.equal(runtime.actorInfos().find((x) => x.id === 'slow')!.weightsPending, false);
	assert.equal(fast.weights().length, 4);
});
