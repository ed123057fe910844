/** The bus and gateway flags: what a gateway or a learner on the bus refuses to start with, in words naming the flag. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learnerUrls } from '../../../bridge-agent/src/args.ts';
import { parseGatewayArgs, gatewayHelp } from '../../../src/lib/gateway/config.ts';
import { OptionsError } from '../../../src/lib/options/index.ts';
import { parseServerArgs } from '../../../src/lib/server/config.ts';

const BUS = ['--bus', 'nats://127.0.0.1:4222'];

function refused(parse: () => unknown): string {
	try {
		parse();
	} catch (error) {
		assert.ok(error instanceof OptionsError, String(error));
		return error.message;
	}
	assert.fail('accepted');
}

describe('gateway flags', () => {
	it('parse into a config: the run, several bus servers, the learner’s actor limits', () => {
		const parsed = parseGatewayArgs([...BUS.slice(0, 1), 'nats://a:4222, tls://b:4222', '--run', 'monza-01', '--max-actors', '8'], {});
		assert.ok(!parsed.help);
		assert.equal(parsed.config.runId, 'monza-01');
		assert.deepEqual(parsed.config.bus.servers, ['nats://a:4222', 'tls://b:4222']);
		assert.equal(parsed.config.learner.maxActors, 8);
		assert.equal(parsed.config.host, '127.0.0.1', 'loopback unless told otherwise');
	});

	it('refuse what cannot work, naming the flag', () => {
		assert.match(
			refused(() => parseGatewayArgs(['--run', 'r'], {})),
			/--bus is required/
		);
		assert.match(
			refused(() => parseGatewayArgs(BUS, {})),
			/--run is required/
		);
		assert.match(
			refused(() => parseGatewayArgs([...BUS, '--run', 'a.b'], {})),
			/run id "a.b" cannot be used on the bus/
		);
		assert.match(
			refused(() => parseGatewayArgs(['--bus', 'http://x:4222', '--run', 'r'], {})),
			/--bus must be nats:\/\/ or tls:\/\/ URLs/
		);
		assert.match(
			refused(() => parseGatewayArgs([...BUS, '--run', 'r', '--host', '0.0.0.0'], {})),
			/without PITWALL_ACTOR_TOKEN/
		);
		assert.match(
			refused(() => parseGatewayArgs([...BUS, '--run', 'r', '--max-queued-batches', '0'], {})),
			/--max-queued-batches/
		);
		assert.match(
			refused(() => parseGatewayArgs([...BUS, '--run', 'r', '--ppo', '{}'], {})),
			/unknown/i,
			'learner-only flags are not the gateway’s'
		);
	});

	it('--help lists the gateway, actor, bus and limit options', () => {
		const help = gatewayHelp();
		for (const flag of ['--run', '--bus', '--bus-creds', '--max-actors', '--max-frame-bytes']) assert.ok(help.includes(flag), flag);
	});
});

describe('learner --bus', () => {
	it('takes the bus servers, and refuses a run id that cannot name subjects', () => {
		const parsed = parseServerArgs([...BUS, '--run-id', 'r1'], {});
		assert.ok(!parsed.help);
		assert.deepEqual(parsed.config.bus?.servers, ['nats://127.0.0.1:4222']);
		assert.equal(parseServerArgs(['--run-id', 'a.b'], {}).help, false, 'without a bus any run id is fine');
		assert.match(
			refused(() => parseServerArgs([...BUS, '--run-id', 'a.b'], {})),
			/cannot be used on the bus/
		);
	});
});

describe('agent --learner', () => {
	it('takes several URLs, tried in the order given', () => {
		assert.deepEqual(learnerUrls('ws://a:3100/ws/actor, wss://b/ws/actor'), ['ws://a:3100/ws/actor', 'wss://b/ws/actor']);
	});
});
