/** The learner's log (pino) and the agent's JSON lines share one shape. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { pino } from 'pino';
import { createLogger } from '../../../bridge-agent/src/log.ts';

it('agent JSON log lines have the learner’s (pino’s) keys and levels', () => {
	const learnerLines: string[] = [];
	const sink = new Writable({ write: (chunk, _enc, done) => (learnerLines.push(String(chunk)), done()) });
	pino({ base: { name: 'pitwall' } }, sink).warn({ actorId: 'a' }, 'actor refused');
	const agentLines: string[] = [];
	createLogger({ level: 'info', json: true, name: 'sim-1' }, (line) => agentLines.push(line)).warn('reset not confirmed', { actorId: 'a' });
	createLogger({ level: 'info', json: true, name: 'sim-1' }, (line) => agentLines.push(line)).debug('below the level');
	assert.equal(agentLines.length, 1);
	const learner = JSON.parse(learnerLines[0]);
	const agent = JSON.parse(agentLines[0]);
	for (const key of ['level', 'time', 'name', 'msg', 'actorId']) {
		assert.ok(key in agent, `agent line has ${key}`);
		assert.equal(typeof agent[key], typeof learner[key], key);
	}
	assert.equal(agent.level, learner.level); // warn is 40 in both
});
