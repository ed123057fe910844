/**
 * Golden bytes: every sample message's encoding is pinned in tests/fixtures/golden/<name>.hex, so
 * an accidental format change fails here. After an intended change (and a PROTOCOL_VERSION bump),
 * regenerate with UPDATE_GOLDEN=1 and update docs/protocol.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeMessage, encodeMessage } from '../../../src/lib/protocol/index.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';

const DIR = new URL('../../fixtures/golden/', import.meta.url);
const toHex = (bytes: Uint8Array) =>
	Buffer.from(bytes)
		.toString('hex')
		.replace(/(.{64})/g, '$1\n')
		.trim() + '\n';
const fromHex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

describe('golden bytes', () => {
	for (const [name, message] of Object.entries(SAMPLE_MESSAGES)) {
		const file = new URL(`${name}.hex`, DIR);
		it(`${name} encodes to its pinned bytes and the pinned bytes decode to it`, () => {
			const bytes = encodeMessage(message);
			if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
				if (process.env.CI) assert.fail(`missing golden file ${file.pathname}`);
				writeFileSync(file, toHex(bytes));
			}
			const golden = fromHex(readFileSync(file, 'utf8'));
			assert.equal(toHex(bytes), toHex(golden));
			assert.deepStrictEqual(decodeMessage(golden), message);
		});
	}
});
