/** The KV records: round trips, and anything that does not decode is treated as absent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pack } from 'msgpackr';
import { actorRecord, durableRecord, runRecord, weightsRecord, type GatewayFigures } from '../../../src/lib/bus/records.ts';
import { encodeMessage } from '../../../src/lib/protocol/index.ts';
import { seedHandshake } from '../../fixtures/trajectory.ts';

const figures: GatewayFigures = {
	sessionId: 's1',
	address: '10.0.0.7:50000',
	state: 'connected',
	ackedVersion: 3,
	sentVersion: 4,
	weightsPending: false,
	rttMs: 1.5,
	health: null,
	lastSeenAt: 1,
	connectedAt: 0,
	bytesIn: 10,
	bytesOut: 20
};

describe('bus records', () => {
	it('an actor record keeps the handshake (without its token) and the figures', () => {
		const hello = seedHandshake('car-1', 'local', 'secret-token');
		const decoded = actorRecord.decode(actorRecord.encode({ hello, gateway: 'g1', figures }))!;
		assert.equal(decoded.hello.actorId, 'car-1');
		assert.equal(decoded.hello.token, '', 'the actor token never goes on the bus');
		assert.deepEqual([...decoded.hello.obsSpec.low], [...hello.obsSpec.low]);
		assert.equal(decoded.gateway, 'g1');
		assert.deepEqual(decoded.figures, figures);
	});

	it('an actor record whose handshake does not decode is absent (the protocol decoder checks it)', () => {
		const frame = encodeMessage({ ...seedHandshake('car-1'), token: '' });
		const broken = frame.slice(0, frame.length - 3);
		assert.equal(actorRecord.decode(pack({ hello: broken, gateway: 'g1', figures })), undefined);
		assert.equal(actorRecord.decode(pack({ hello: 'not bytes', gateway: 'g1', figures })), undefined);
		assert.equal(actorRecord.decode(new Uint8Array([0xc1])), undefined);
	});

	it('run, weights and durable records round-trip and refuse garbage', () => {
		const { obsSpec, actionSpec } = seedHandshake('car-1');
		const run = runRecord.decode(runRecord.encode({ runId: 'r', algo: 'ppo', obsSpec, actionSpec }))!;
		assert.equal(run.obsSpec.dim, obsSpec.dim);
		assert.deepEqual([...run.actionSpec.high], [...actionSpec.high]);
		assert.equal(runRecord.decode(pack({ runId: 'r', algo: 'ppo', obsSpec: { dim: 2, names: ['a'], low: [0], high: [1] }, actionSpec })), undefined);
		assert.deepEqual(weightsRecord.decode(weightsRecord.encode({ policyVersion: 7, bytes: 100 })), { policyVersion: 7, bytes: 100 });
		assert.equal(weightsRecord.decode(pack({ policyVersion: 1.5, bytes: 1 })), undefined);
		assert.equal(durableRecord.decode(durableRecord.encode(41)), 41);
		for (const bad of ['', 'x', '-2', '1e400', '3.5']) assert.equal(durableRecord.decode(new TextEncoder().encode(bad)), undefined, bad);
	});
});
