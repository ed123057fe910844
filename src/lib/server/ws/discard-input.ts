/**
 * After a session is refused, whatever else the peer has in flight is read and thrown away
 * without being parsed: a hostile burst of 500 frames behind a bad one would otherwise be
 * unmasked, framed and emitted one by one, only to be ignored. This is what ws does itself after a
 * frame it cannot parse (receiverOnError in ws/lib/websocket.js): take the receiver off the TCP
 * socket's 'data' and keep the socket flowing. The close handshake still completes: an honest
 * peer answers the close frame and ends the connection (its FIN is still seen, 'end' stays
 * wired); one that does not is destroyed by ws's close timer as before.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export function discardInput(socket: WebSocket): void {
	// `_socket` is ws's own field (the upgraded net.Socket); absent on test doubles.
	const raw = (socket as unknown as { _socket?: Duplex })._socket;
	if (!raw) return;
	raw.removeAllListeners('data');
	raw.resume();
}
