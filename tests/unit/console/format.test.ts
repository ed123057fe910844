/** The console's number formatting for the refusals line. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { refusalSummary } from '../../../src/lib/components/format.ts';

it('sums refusals and lists the reasons, the most frequent first', () => {
	assert.deepEqual(refusalSummary({ MALFORMED: 400, 'upgrade 403': 5, RATE_LIMITED: 12_345 }), {
		total: 12_750,
		text: 'RATE_LIMITED 12.3 k · MALFORMED 400 · upgrade 403 5'
	});
	assert.deepEqual(refusalSummary(undefined), { total: 0, text: '' });
	assert.deepEqual(refusalSummary({}), { total: 0, text: '' });
});
