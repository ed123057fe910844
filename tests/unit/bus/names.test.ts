/** The bus's names: actor ids as subject tokens (round trip, no collisions), run ids, subject parsing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorIdOf, actorToken, batchMsgId, keys, parseActorKey, parseInSubject, runIdProblem, subjects } from '../../../src/lib/bus/names.ts';

const TOKEN = /^[A-Za-z0-9_=-]+$/;

describe('bus names', () => {
	it('a plain actor id is its own token; any other id is one safe token that decodes back', () => {
		assert.equal(actorToken('car-1_A'), 'car-1_A');
		for (const id of ['car.1', 'a b', 'x*', 'y>', 'münchen', '=41', 'a'.repeat(65), 'rig/7', '']) {
			const token = actorToken(id);
			assert.match(token, TOKEN, `${JSON.stringify(id)} → ${token}`);
			assert.ok(!token.includes('.'), token);
			assert.equal(actorIdOf(token), id);
		}
	});

	it('no two ids share a token (an escaped id never looks plain)', () => {
		const ids = ['A', '=41', 'a.b', 'a_b', 'a-b', '=', '==', 'ab'];
		const tokens = ids.map(actorToken);
		assert.equal(new Set(tokens).size, ids.length, tokens.join(' '));
	});

	it('run ids must be one subject token', () => {
		assert.equal(runIdProblem('2026-12-03-14-06-40'), undefined);
		for (const bad of ['a.b', 'a b', 'x>', '', 'r'.repeat(65)]) assert.match(runIdProblem(bad) ?? '', /cannot be used on the bus/, bad);
	});

	it('subjects and keys parse back to the actor and the kind', () => {
		assert.deepEqual(parseInSubject(subjects.batch('run', 'car-1')), { actor: 'car-1', kind: 'batch' });
		assert.deepEqual(parseInSubject(subjects.event('run', '=2e')), { actor: '=2e', kind: 'event' });
		assert.equal(parseInSubject('pitwall.live.run.car'), undefined);
		assert.equal(parseInSubject('pitwall.in.run.car.batch.extra'), undefined);
		assert.deepEqual(parseActorKey(keys.actorSession('run', 'car', 'f00-ba4')), { actor: 'car', sessionId: 'f00-ba4' });
		assert.equal(parseActorKey(keys.durable('run', 'car')), undefined);
		assert.ok(subjects.batch('run', 'car').startsWith(subjects.runIn('run').slice(0, -1)), 'the consumer filter covers the batches');
		assert.notEqual(batchMsgId('run', 'car', 1), batchMsgId('run', 'car', 11));
	});
});
