/**
 * How an actor session answers frames that break something: a bug in the decoder (INTERNAL) or in
 * what handles the message gets an ERROR and close 1011, bad input its own code; nothing throws
 * out of the socket's message handler. Before the handshake: nothing but an uncompressed HANDSHAKE
 * is read, within handshakeTimeoutMs, and at most maxPendingHandshakes connections wait for theirs.
 * Runs on a fake socket, fake timers and a stub runtime.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { CloseCode, Decoder, ErrorCode, MessageType, encodeMessage, type Message } from '../../../src/lib/protocol/index.ts';
import { pingCodec } from '../../../src/lib/protocol/messages/heartbeat.ts';
import type { Runtime } from '../../../src/lib/server/runtime/index.ts';
import { LimitedLog } from '../../../src/lib/server/limited-log.ts';
import { systemClock } from '../../../src/lib/server/runtime/clock.ts';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ActorSession } from '../../../src/lib/server/ws/actor-session.ts';
import { pendingHandshakes, type Timers } from '../../../src/lib/server/ws/handshake-gate.ts';
import { SAMPLE_MESSAGES } from '../../fixtures/messages.ts';

class FakeSocket extends EventEmitter {
	readonly OPEN = 1;
	readyState = 1;
	binaryType = 'arraybuffer';
	bufferedAmount = 0;
	readonly sent: Message[] = [];
	closedWith: { code: number; reason: string } | undefined;
	private readonly decoder = new Decoder();
	send(frame: Uint8Array): void {
		this.sent.push(this.decoder.decode(frame));
	}
	close(code: number, reason: string): void {
		this.closedWith = { code, reason };
		this.readyState = 3;
	}
	terminate(): void {
		this.readyState = 3;
	}
	/** Delivers a frame as ws does; returns whatever the listener threw (it must be nothing). */
	deliver(frame: Uint8Array, isBinary = true): unknown {
		try {
			this.emit('message', Buffer.from(frame), isBinary);
		} catch (error) {
			return error;
		}
	}
	/** The connection is gone (ws emits 'close' once the closing handshake is over). */
	gone(code = 1000): void {
		this.readyState = 3;
		this.emit('close', code);
	}
}

/** Timers that fire only when the test moves the clock. */
class FakeTimers implements Timers {
	now = 0;
	private id = 0;
	readonly pending = new Map<number, { at: number; run: () => void }>();
	setTimeout(run: () => void, ms: number): unknown {
		this.pending.set(++this.id, { at: this.now + ms, run });
		return this.id;
	}
	clearTimeout(handle: unknown): void {
		this.pending.delete(handle as number);
	}
	advance(ms: number): void {
		this.now += ms;
		for (const [id, timer] of [...this.pending]) {
			if (timer.at > this.now) continue;
			this.pending.delete(id);
			timer.run();
		}
	}
}

/** The learner's log lines (pino JSON) written by the last stub runtime. */
let logged: { level: number; msg: string; code?: string; address?: string; err?: { message: string } }[] = [];

interface StubOptions {
	heartbeat?: () => void;
	/** What ingest answers (a gateway's answer is a promise). */
	ingest?: () => unknown;
	started?: Promise<void>;
	handshakeTimeoutMs?: number;
	maxPendingHandshakes?: number;
}

function stubRuntime({ heartbeat = () => {}, ingest, started, handshakeTimeoutMs = 5000, maxPendingHandshakes = 16 }: StubOptions = {}): Runtime {
	logged = [];
	const log = pino({}, new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
	const entry = { id: 'a', sessionId: 1, bytesOut: 0, hello: SAMPLE_MESSAGES.handshake, seen: () => {} };
	const runtime = {
		config: { limits: {}, actorToken: undefined, learner: { handshakeTimeoutMs, maxPendingHandshakes } },
		admit: () => ({ entry, accept: SAMPLE_MESSAGES.handshakeAccept }),
		welcome: () => {},
		remove: () => {},
		heartbeat,
		ingest,
		alerts: { raise: () => {} },
		logger: () => log,
		refusals: new LimitedLog(systemClock),
		isStarted: started === undefined,
		started: started ?? Promise.resolve()
	};
	return runtime as unknown as Runtime;
}

function connect(runtime: Runtime, timers = new FakeTimers()): FakeSocket {
	const socket = new FakeSocket();
	new ActorSession(socket as unknown as WebSocket, runtime, '127.0.0.1:5000', { timers });
	return socket;
}

function session(heartbeat: () => void = () => {}, started?: Promise<void>): FakeSocket {
	return connect(stubRuntime({ heartbeat, started }));
}

function refusedWith(socket: FakeSocket, code: ErrorCode, closeCode: number): Extract<Message, { type: typeof MessageType.ERROR }> {
	const error = socket.sent.at(-1);
	assert.ok(error?.type === MessageType.ERROR, `sent ${JSON.stringify(socket.sent)}`);
	assert.equal(error.code, code, error.message);
	assert.equal(error.closeCode, closeCode);
	assert.equal(error.fatal, true);
	assert.deepStrictEqual(socket.closedWith, { code: closeCode, reason: code });
	return error;
}

const hello = encodeMessage(SAMPLE_MESSAGES.handshake);
const ping = encodeMessage({ type: MessageType.PING, seq: 1, t: 2 });
const original = pingCodec.decode;
afterEach(() => {
	pingCodec.decode = original;
});

describe('actor session', () => {
	it('answers a decoder crash (INTERNAL) with ERROR and close 1011, and keeps running', () => {
		pingCodec.decode = () => (undefined as unknown as { ping: ReturnType<typeof original> }).ping; // the planted bug
		const socket = session();
		socket.deliver(hello);
		assert.equal(socket.deliver(ping), undefined, 'nothing escapes the message handler');
		const [, error] = socket.sent;
		assert.ok(error?.type === MessageType.ERROR, `sent ${JSON.stringify(socket.sent)}`);
		assert.equal(error.code, ErrorCode.INTERNAL);
		assert.equal(error.closeCode, CloseCode.INTERNAL_ERROR);
		assert.equal(error.fatal, true);
		assert.match(error.message, /^INTERNAL: PING decoder failed \(TypeError: /);
		assert.deepStrictEqual(socket.closedWith, { code: CloseCode.INTERNAL_ERROR, reason: 'INTERNAL' });
		assert.deepStrictEqual(
			logged.map((l) => [l.level, l.code]),
			[[50, 'INTERNAL']]
		); // logged as an error, with its cause
		assert.match(logged[0].err?.message ?? '', /Cannot read properties of undefined/);
	});

	it("answers a crash while handling a valid message (here the runtime's heartbeat) the same way", () => {
		const socket = session(() => {
			throw new TypeError('heartbeat exploded');
		});
		socket.deliver(hello);
		assert.deepStrictEqual(
			socket.sent.map((m) => m.type),
			[MessageType.HANDSHAKE_ACCEPT]
		);
		assert.equal(socket.deliver(ping), undefined, 'nothing escapes the message handler');
		const error = socket.sent.at(-1);
		assert.ok(error?.type === MessageType.ERROR && error.code === ErrorCode.INTERNAL, `sent ${JSON.stringify(socket.sent)}`);
		assert.equal(error.closeCode, CloseCode.INTERNAL_ERROR);
		assert.equal(socket.closedWith?.code, CloseCode.INTERNAL_ERROR);
		assert.match(error.message, /actor session failed \(TypeError: heartbeat exploded\)/);
		assert.equal(logged.at(-1)?.err?.message, 'heartbeat exploded');
	});

	it('gives bad input its own code, not INTERNAL', () => {
		const socket = session();
		const garbage = Uint8Array.from(ping);
		garbage[0] = 0x51;
		assert.equal(socket.deliver(garbage), undefined);
		assert.ok(socket.sent[0]?.type === MessageType.ERROR && socket.sent[0].code === ErrorCode.BAD_MAGIC);
		assert.equal(socket.closedWith?.code, CloseCode.PROTOCOL_ERROR);
		const text = session();
		text.deliver(new TextEncoder().encode('hello'), false);
		assert.ok(text.sent[0]?.type === MessageType.ERROR && text.sent[0].code === ErrorCode.MALFORMED);
	});

	it('a resuming learner answers the handshake once its checkpoint is restored, and handles what came meanwhile in order', async () => {
		let restored!: () => void;
		const socket = session(() => {}, new Promise<void>((resolve) => (restored = resolve)));
		socket.deliver(hello);
		socket.deliver(ping);
		await new Promise((resolve) => setImmediate(resolve));
		assert.equal(socket.sent.length, 0, 'no accept before the checkpoint is restored');
		restored();
		await new Promise((resolve) => setImmediate(resolve));
		assert.deepStrictEqual(
			socket.sent.map((m) => m.type),
			[MessageType.HANDSHAKE_ACCEPT, MessageType.PONG]
		);
	});
});

describe('before the handshake', () => {
	it('a connection that sends no HANDSHAKE within handshakeTimeoutMs is refused (4004) and logged', () => {
		const timers = new FakeTimers();
		const socket = connect(stubRuntime({ handshakeTimeoutMs: 3000 }), timers);
		timers.advance(2999);
		assert.equal(socket.sent.length, 0);
		timers.advance(1);
		const error = refusedWith(socket, ErrorCode.HANDSHAKE_REQUIRED, CloseCode.HANDSHAKE_REQUIRED);
		assert.match(error.message, /no HANDSHAKE within 3000 ms/);
		assert.deepStrictEqual(
			logged.map((l) => [l.level, l.code, l.address]),
			[[40, 'HANDSHAKE_REQUIRED', '127.0.0.1:5000']]
		);
		socket.gone(CloseCode.HANDSHAKE_REQUIRED);
		assert.equal(timers.pending.size, 0);
	});

	it('a HANDSHAKE in time, or a close, stops the clock', () => {
		const timers = new FakeTimers();
		const runtime = stubRuntime();
		const handshaken = connect(runtime, timers);
		const quiet = connect(runtime, timers);
		assert.equal(timers.pending.size, 2);
		handshaken.deliver(hello);
		quiet.gone(1006);
		assert.equal(timers.pending.size, 0, 'no timer outlives its wait');
		timers.advance(60_000);
		assert.deepStrictEqual(
			handshaken.sent.map((m) => m.type),
			[MessageType.HANDSHAKE_ACCEPT]
		);
		assert.equal(handshaken.closedWith, undefined);
		assert.equal(quiet.sent.length, 0);
	});

	it('PING, and every other type, before the HANDSHAKE gets HANDSHAKE_REQUIRED (4004), never a PONG', () => {
		for (const [name, message] of Object.entries(SAMPLE_MESSAGES)) {
			if (message.type === MessageType.HANDSHAKE) continue;
			for (const compress of ['never', 'always'] as const) {
				const socket = session();
				socket.deliver(encodeMessage(message, { compress }));
				const error = refusedWith(socket, ErrorCode.HANDSHAKE_REQUIRED, CloseCode.HANDSHAKE_REQUIRED);
				assert.equal(socket.sent.length, 1, `${name}: ${JSON.stringify(socket.sent)}`);
				assert.match(error.message, /before HANDSHAKE/);
			}
		}
	});

	it('a compressed HANDSHAKE is refused without inflating it (BAD_FLAGS, 1002)', () => {
		const socket = session();
		socket.deliver(encodeMessage(SAMPLE_MESSAGES.handshake, { compress: 'always' }));
		const error = refusedWith(socket, ErrorCode.BAD_FLAGS, CloseCode.PROTOCOL_ERROR);
		assert.match(error.message, /compressed .*before the handshake/);
		// a bomb in a HANDSHAKE frame: refused by its header, so it is never inflated (that would say DECOMPRESSION_FAILED)
		const bomb = session();
		const frame = new Uint8Array(12 + 4096);
		frame.set([0x50, 0x57, 1, MessageType.HANDSHAKE, 1]);
		new DataView(frame.buffer).setUint32(8, 1 << 20, true);
		bomb.deliver(frame);
		refusedWith(bomb, ErrorCode.BAD_FLAGS, CloseCode.PROTOCOL_ERROR);
	});

	it('beyond maxPendingHandshakes a new connection is refused at once (4005); one that handshakes or closes frees its place', () => {
		const timers = new FakeTimers();
		const runtime = stubRuntime({ maxPendingHandshakes: 2 });
		const [first, second] = [connect(runtime, timers), connect(runtime, timers)];
		assert.equal(pendingHandshakes(runtime), 2);
		const third = connect(runtime, timers);
		const error = refusedWith(third, ErrorCode.TOO_MANY_ACTORS, CloseCode.TOO_MANY_ACTORS);
		assert.match(error.message, /2 connections are already waiting for their HANDSHAKE/);
		third.gone(CloseCode.TOO_MANY_ACTORS);
		assert.equal(pendingHandshakes(runtime), 2, 'the refused one was never counted');
		first.deliver(hello);
		assert.equal(pendingHandshakes(runtime), 1, 'an accepted handshake leaves the count (--max-actors applies to it)');
		second.gone(1006);
		assert.equal(pendingHandshakes(runtime), 0);
		const [fourth, fifth] = [connect(runtime, timers), connect(runtime, timers)];
		assert.deepStrictEqual([fourth.sent, fifth.sent], [[], []]);
		timers.advance(5000); // both time out; they count until their sockets close
		assert.equal(fourth.closedWith?.code, CloseCode.HANDSHAKE_REQUIRED);
		assert.equal(pendingHandshakes(runtime), 2);
		fourth.gone(CloseCode.HANDSHAKE_REQUIRED);
		fifth.gone(CloseCode.HANDSHAKE_REQUIRED);
		assert.equal(pendingHandshakes(runtime), 0);
		assert.equal(timers.pending.size, 0);
	});

	it('a refused wrong token still counts until its socket closes, and clears its clock', () => {
		const timers = new FakeTimers();
		const runtime = stubRuntime();
		(runtime.config as { actorToken?: string }).actorToken = 'secret';
		const socket = connect(runtime, timers);
		socket.deliver(hello);
		refusedWith(socket, ErrorCode.UNAUTHORIZED, CloseCode.UNAUTHORIZED);
		assert.equal(timers.pending.size, 0);
		assert.equal(pendingHandshakes(runtime), 1);
		socket.gone(CloseCode.UNAUTHORIZED);
		assert.equal(pendingHandshakes(runtime), 0);
	});

	it('reads nothing more from a peer it refused (the rest of a burst costs no decoding)', () => {
		let heartbeats = 0;
		const socket = session(() => heartbeats++);
		socket.deliver(encodeMessage(SAMPLE_MESSAGES.handshake));
		const garbage = Uint8Array.from(ping);
		garbage[0] = 0x51;
		socket.deliver(garbage);
		// ws still delivers frames that were in flight while the close goes out.
		socket.readyState = 1;
		for (let i = 0; i < 100; i++) socket.deliver(ping);
		assert.equal(heartbeats, 0);
		assert.equal(socket.sent.filter((m) => m.type === MessageType.ERROR).length, 1);
	});

	it('a batch whose host answers later is not refused when the actor has gone meanwhile (a gateway drops what it had queued)', async () => {
		let fail: (error: Error) => void = () => {};
		const runtime = stubRuntime({ ingest: () => new Promise((_stored, failed) => (fail = failed)) });
		const socket = connect(runtime);
		socket.deliver(hello);
		socket.deliver(encodeMessage(SAMPLE_MESSAGES.transitionBatchSmall));
		socket.gone();
		fail(new Error('the actor disconnected'));
		await new Promise((resolve) => setImmediate(resolve));
		assert.deepEqual(runtime.refusals.totals(), {}, 'a normal disconnect is no refusal');
		assert.ok(!socket.sent.some((m) => m.type === MessageType.ERROR));
	});
});
