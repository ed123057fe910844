/** The HTTP API through the built SvelteKit handler, on a real server with a real actor. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MessageType, encodeMessage } from '../../src/lib/protocol/index.ts';
import { initBackend } from '../../src/lib/ppo/backend.ts';
import { loadCheckpoint } from '../../src/lib/ppo/checkpoint.ts';
import { parseServerConfig } from '../../src/lib/server/config.ts';
import { startServer, type RunningServer } from '../../src/lib/server/http-server.ts';
import { getRuntime, resetRuntime, type Runtime } from '../../src/lib/server/runtime/index.ts';
import { seedHandshake, trajectoryBatch } from '../fixtures/trajectory.ts';
import { SAMPLE_MESSAGES } from '../fixtures/messages.ts';
import { TestClient, waitFor, wsUrl } from './helpers.ts';

const TOKEN = 'console-secret';

describe('HTTP API', () => {
	let server: RunningServer;
	let runtime: Runtime;
	const auth = { authorization: `Bearer ${TOKEN}` };
	const api = (path: string, init: RequestInit = {}) =>
		fetch(`${server.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...auth, ...(init.headers ?? {}) } });

	before(async () => {
		const { handler } = (await import('../../build/handler.js' as string)) as { handler: RequestListener };
		const base = parseServerConfig(['--port', '0'], {});
		runtime = getRuntime({
			...base,
			consoleToken: TOKEN,
			learner: {
				...base.learner,
				runsDir: mkdtempSync(join(tmpdir(), 'pitwall-api-')),
				runId: 'api',
				backends: ['wasm', 'cpu'],
				ppo: { nSteps: 128, hiddenSizes: [8], updateEpochs: 1 }
			}
		});
		server = await startServer(runtime, handler);
		const actor = new TestClient(wsUrl(server, '/ws/actor'));
		await actor.opened;
		actor.send(encodeMessage(seedHandshake('api-actor')));
		await actor.expect(MessageType.WEIGHTS_UPDATE, 15_000);
		actor.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: 1, error: '' }));
		const batch = trajectoryBatch(128, 1, 0);
		batch.policyVersion.fill(1); // chosen by the weights it just acked (a later version would be stale)
		actor.send(encodeMessage(batch));
		actor.send(
			encodeMessage({
				type: MessageType.EPISODE_SUMMARY,
				episodeId: 1,
				return: 12.5,
				length: 128,
				endReason: 'truncated',
				terminated: false,
				truncated: true,
				lapTimesMs: [91000],
				cleanLaps: 1,
				policyVersion: 1
			})
		);
		const weights = await actor.expect(MessageType.WEIGHTS_UPDATE, 15_000);
		assert.equal(weights.manifest.policyVersion, 2);
		actor.send(encodeMessage(SAMPLE_MESSAGES.track));
		actor.send(encodeMessage(SAMPLE_MESSAGES.lap));
		await waitFor(() => runtime.lapsView().total === 1, 'the lap');
	});
	after(async () => {
		await server.close();
		resetRuntime();
	});

	it('requires the console token', async () => {
		const res = await fetch(`${server.url}/api/status`);
		assert.equal(res.status, 401);
		// The raw token in a cookie is no session (sessions come from /login: browser-security.test.ts).
		const cookie = await fetch(`${server.url}/api/status`, { headers: { cookie: `pitwall_console=${TOKEN}` } });
		assert.equal(cookie.status, 401);
		assert.equal((await fetch(`${server.url}/api/status`, { headers: auth })).status, 200);
	});

	it('reports status and actors', async () => {
		const status = await (await api('/api/status')).json();
		assert.equal(status.runId, 'api');
		assert.equal(status.updates, 1);
		assert.equal(status.buffer.needed, 128);
		assert.ok(['waiting', 'updating'].includes(status.state));
		const actors = await (await api('/api/actors')).json();
		assert.equal(actors.length, 1);
		assert.equal(actors[0].episodes, 1);
		assert.equal(actors[0].bestLapMs, 91000);
	});

	it('serves the tracks, the laps, an actor’s laps and a lap’s replay; refuses a bad lap id', async () => {
		const { tracks } = await (await api('/api/tracks')).json();
		assert.deepEqual([tracks[0].name, tracks[0].x, tracks[0].sectors], ['oval', [0, 400, 400, 0], [0.33, 0.66]]);
		const laps = await (await api('/api/laps')).json();
		assert.deepEqual([laps.total, laps.clean, laps.leaderboards[0].track], [1, 1, 'oval']);
		const [best] = laps.leaderboards[0].laps;
		assert.deepEqual([best.id, best.timeMs, best.actorId, best.sectorsMs, best.replay], [1, 48125, 'api-actor', [16000, 15125, 17000], true]);
		const own = await (await api('/api/laps?actor=api-actor')).json();
		assert.equal(own.laps[0].id, 1);
		assert.deepEqual((await (await api('/api/laps?actor=nobody')).json()).laps, []);
		const replay = await (await api('/api/laps/1/trace')).json();
		assert.deepEqual([replay.lap.id, replay.hz, replay.x, replay.brake], [1, 10, [0, 5.5, 11], [0, 0, 0.25]]);
		assert.equal((await api('/api/laps/2/trace')).status, 404);
		for (const id of ['0', '-1', '1.5', 'x']) assert.equal((await api(`/api/laps/${id}/trace`)).status, 400, id);
		const actors = await (await api('/api/actors')).json();
		assert.equal(actors[0].track, 'oval');
	});

	it('broadcasts on demand', async () => {
		const body = await (await api('/api/broadcast', { method: 'POST' })).json();
		assert.deepStrictEqual(body, { policyVersion: 2, sent: 1 });
	});

	it('asks for evaluation episodes; refuses an episode count that is not 1…16', async () => {
		for (const body of ['{"episodes":0}', '{"episodes":17}', '{"episodes":1.5}', '{"episodes":"2"}', '{"episodes":[1]}']) {
			const refused = await api('/api/evaluations', { method: 'POST', body });
			assert.equal(refused.status, 400, body);
			assert.match((await refused.json()).message, /episodes must be an integer in \[1, 16\]/, body);
		}
		const sent = await api('/api/evaluations', { method: 'POST', body: '{}' });
		assert.equal(sent.status, 200);
		const info = await sent.json();
		assert.deepEqual([info.episodes, info.actors], [1, ['api-actor']]);
		const listed = await (await api('/api/evaluations')).json();
		assert.equal(listed[0].evalId, info.evalId);
	});

	it('asks only the actors named; refuses an actors field that is not a list of ids', async () => {
		for (const body of [
			'{"actors":"api-actor"}',
			'{"actors":[1]}',
			`{"actors":${JSON.stringify(Array(257).fill('a'))}}`,
			`{"actors":["${'x'.repeat(300)}"]}`
		]) {
			const refused = await api('/api/evaluations', { method: 'POST', body });
			assert.equal(refused.status, 400, body.slice(0, 40));
			assert.match((await refused.json()).message, /actors must be a list of at most 256 actor ids/);
		}
		const named = await api('/api/evaluations', { method: 'POST', body: '{"actors":["api-actor"]}' });
		assert.deepEqual((await named.json()).actors, ['api-actor']);
		const nobody = await api('/api/evaluations', { method: 'POST', body: '{"actors":["somebody-else"]}' });
		assert.equal(nobody.status, 409, 'an actor that is not connected is not asked');
	});

	it('pauses and resumes training; refuses unknown actions', async () => {
		assert.equal((await (await api('/api/training', { method: 'POST', body: '{"action":"pause"}' })).json()).paused, true);
		assert.equal(runtime.training.paused, true);
		assert.equal((await (await api('/api/training', { method: 'POST', body: '{"action":"resume"}' })).json()).paused, false);
		assert.equal((await api('/api/training', { method: 'POST', body: '{"action":"explode"}' })).status, 400);
		assert.equal((await api('/api/training', { method: 'POST', body: 'not json' })).status, 400);
		assert.equal((await api('/api/training', { method: 'POST', body: JSON.stringify({ action: 'x'.repeat(20_000) }) })).status, 413);
	});

	it('edits lr and entCoef live, validated, logged as events', async () => {
		const ok = await api('/api/hyperparams', { method: 'PATCH', body: '{"learningRate":0.0001,"entCoef":0.01}' });
		assert.deepStrictEqual(await ok.json(), { learningRate: 0.0001, entCoef: 0.01 });
		assert.equal((await api('/api/hyperparams', { method: 'PATCH', body: '{"learningRate":-1}' })).status, 400);
		assert.equal((await api('/api/hyperparams', { method: 'PATCH', body: '{"gamma":0.5}' })).status, 400);
		// Finite but absurd values were accepted (and 1e308 made the next update NaN): each is a 400 naming the range.
		for (const body of ['{"learningRate":1e308}', '{"learningRate":1000}', '{"learningRate":5e-324}', '{"entCoef":1e308}']) {
			const refused = await api('/api/hyperparams', { method: 'PATCH', body });
			assert.equal(refused.status, 400, body);
			assert.match((await refused.json()).message, /\[|≤|≥|between|at most|at least/, body);
		}
		assert.deepStrictEqual(await (await api('/api/status')).json().then((s) => s.hyperparams), { learningRate: 0.0001, entCoef: 0.01 });
		assert.ok(runtime.metrics.points.some((p) => p.kind === 'event' && p.event === 'hyperparams'));
	});

	it('saves, lists and downloads checkpoints that load', async () => {
		const created = await api('/api/checkpoints', { method: 'POST' });
		assert.equal(created.status, 201);
		const { id } = await created.json();
		const list = await (await api('/api/checkpoints')).json();
		assert.ok(list.some((c: { id: string }) => c.id === id) && list.some((c: { id: string }) => c.id === 'latest'));
		const download = await api(`/api/checkpoints/latest/download`);
		assert.equal(download.headers.get('content-type'), 'application/zip');
		await initBackend(['cpu']);
		const { trainer } = loadCheckpoint(new Uint8Array(await download.arrayBuffer()));
		assert.equal(trainer.counters.policyVersion, 2);
		trainer.dispose();
		assert.equal((await api('/api/checkpoints/nope/download')).status, 404);
	});

	it('exports metrics as JSONL and CSV', async () => {
		const jsonl = await (await api('/api/metrics?format=jsonl')).text();
		const lines = jsonl
			.trim()
			.split('\n')
			.map((l) => JSON.parse(l));
		assert.ok(lines.some((l) => l.kind === 'update' && typeof l['losses/policy_loss'] === 'number'));
		assert.ok(lines.some((l) => l.kind === 'episode' && l.return === 12.5));
		const csv = await (await api('/api/metrics?format=csv')).text();
		assert.match(csv.split('\n')[0], /kind/);
		assert.equal((await api('/api/metrics?format=xml')).status, 400);
	});

	it('disconnects an actor', async () => {
		assert.equal((await api('/api/actors/api-actor', { method: 'DELETE' })).status, 200);
		assert.equal((await api('/api/actors/api-actor', { method: 'DELETE' })).status, 404);
	});
});
