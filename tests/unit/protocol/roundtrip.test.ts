import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MESSAGE_TYPE_NAME, decodeMessage, encodeMessage, readHeader, resolveLimits, type LapReport, type Ping } from '../../../src/lib/protocol/index.ts';
import { ALL_TYPES, SAMPLE_MESSAGES } from '../../fixtures/messages.ts';

describe('round trip', () => {
	for (const [name, message] of Object.entries(SAMPLE_MESSAGES)) {
		it(`${name} decodes to what was encoded`, () => {
			assert.deepStrictEqual(decodeMessage(encodeMessage(message)), message);
		});
		it(`${name} round-trips compressed and uncompressed`, () => {
			for (const compress of ['always', 'never'] as const) {
				assert.deepStrictEqual(decodeMessage(encodeMessage(message, { compress })), message);
			}
		});
	}

	it('reads stats without rssMb (older agents) as rssMb 0', () => {
		const ping = SAMPLE_MESSAGES.pingWithStats as Ping;
		const { rssMb: _, ...older } = ping.stats!;
		const decoded = decodeMessage(encodeMessage({ ...ping, stats: older as Ping['stats'] })) as Ping;
		assert.deepEqual(decoded.stats, { ...older, rssMb: 0 });
	});

	it('a LAP trace without tyresOut (an older actor) decodes without it; with it, the column comes back as sent', () => {
		const lap = SAMPLE_MESSAGES.lapTyresOut as LapReport;
		const { tyresOut, ...older } = lap.trace!;
		const decodedOlder = decodeMessage(encodeMessage({ ...lap, trace: older })) as LapReport;
		assert.equal('tyresOut' in decodedOlder.trace!, false);
		assert.deepStrictEqual(decodedOlder.trace, older);
		const decoded = decodeMessage(encodeMessage(lap)) as LapReport;
		assert.deepStrictEqual(decoded.trace!.tyresOut, tyresOut);
		assert.equal(Object.getPrototypeOf(decoded.trace!.tyresOut), Uint8Array.prototype); // an owned array, not msgpackr's Buffer view
	});

	it('covers every message type', () => {
		const covered = new Set(Object.values(SAMPLE_MESSAGES).map((m) => MESSAGE_TYPE_NAME[m.type]));
		assert.deepStrictEqual([...covered].sort(), [...ALL_TYPES].sort());
	});

	it('deflates large generic messages, not small ones nor already-coded transition batches', () => {
		const limits = resolveLimits();
		const big = { ...SAMPLE_MESSAGES.episodeSummary, lapTimesMs: new Array(500).fill(91234) } as typeof SAMPLE_MESSAGES.episodeSummary;
		assert.equal(readHeader(encodeMessage(big), limits).compressed, true);
		assert.equal(readHeader(encodeMessage(SAMPLE_MESSAGES.control), limits).compressed, false);
		assert.equal(readHeader(encodeMessage(SAMPLE_MESSAGES.transitionBatchLarge), limits).compressed, false);
	});

	it('keeps NaN-free float bit patterns exactly, including -0 and subnormals', () => {
		const batch = structuredClone(SAMPLE_MESSAGES.transitionBatchLarge);
		if (batch.type !== 21) throw new Error('fixture');
		batch.obs[0] = -0;
		batch.obs[1] = 1e-45;
		batch.logProb[3] = -3.4028234663852886e38; // the largest float32: logProb has no value bound (reward and obs do)
		const back = decodeMessage(encodeMessage(batch));
		assert.ok(back.type === 21 && Object.is(back.obs[0], -0) && back.obs[1] === batch.obs[1] && back.logProb[3] === batch.logProb[3]);
	});
});
