/**
 * How an actor session answers frames that break something: a bug in the decoder (INTERNAL) or in
 * what handles the message gets an ERROR and close 1011, bad input its own code; nothing throws
 * out of the socket's message handler. Runs on a fake socket and a stub runtime.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { CloseCode, Decoder, ErrorCode, MessageType, encodeMessage, type Message } from '../../../src/lib/protocol/index.ts';
import { pingCodec } from '../../../src/lib/protocol/messages/heartbeat.ts';
import type { Runtime } from '../../../src/lib/server/runtime/index.ts';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { ActorSession } from '../../../src/lib/server/ws/actor-session.ts';
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
}

/** The learner's log lines (pino JSON) written by the last session. */
let logged: { level: number; msg: string; code?: string; err?: { message: string } }[] = [];

function session(heartbeat: () => void = () => {}, started?: Promise<void>): FakeSocket {
	const socket = new FakeSocket();
	logged = [];
	const log = pino({}, new Writable({ write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()) }));
	const entry = { id: 'a', sessionId: 1, bytesOut: 0, hello: SAMPLE_MESSAGES.handshake, seen: () => {} };
	const runtime = {
		config: { limits: {}, actorToken: undefined },
		admit: () => ({ entry, accept: SAMPLE_MESSAGES.handshakeAccept }),
		welcome: () => {},
		remove: () => {},
		heartbeat,
		alerts: { raise: () => {} },
		logger: () => log,
		isStarted: started === undefined,
		started: started ?? Promise.resolve()
	};
	new ActorSession(socket as unknown as WebSocket, runtime as unknown as Runtime, '127.0.0.1');
	return socket;
}

const ping = encodeMessage({ type: MessageType.PING, seq: 1, t: 2 });
const original = pingCodec.decode;
afterEach(() => {
	pingCodec.decode = original;
});

describe('actor session', () => {
	it('answers a decoder crash (INTERNAL) with ERROR and close 1011, and keeps running', () => {
		pingCodec.decode = () => (undefined as unknown as { ping: ReturnType<typeof original> }).ping; // the planted bug
		const socket = session();
		assert.equal(socket.deliver(ping), undefined, 'nothing escapes the message handler');
		const [error] = socket.sent;
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
		socket.deliver(encodeMessage(SAMPLE_MESSAGES.handshake));
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
		socket.deliver(encodeMessage(SAMPLE_MESSAGES.handshake));
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
