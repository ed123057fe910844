/**
 * A scripted actor for the browser tests: it connects with the actor token, hands the learner a
 * driving HANDSHAKE (the run's observation and action spaces), sends the LAPs it is given and
 * stays connected until closed, so a test decides exactly what a replay shows.
 */
import WebSocket from 'ws';
import { driveSpecs } from '../../bridge-agent/src/rl/spaces.ts';
import { MessageType, PROTOCOL_VERSION, decodeMessage, encodeMessage, type LapReport } from '../../src/lib/protocol/index.ts';

export interface LapSender {
	send(lap: Omit<LapReport, 'type'>): void;
	close(): void;
}

export function connectLapSender(url: string, token: string, actorId: string): Promise<LapSender> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
		ws.once('error', reject);
		ws.once('open', () =>
			ws.send(
				encodeMessage({
					type: MessageType.HANDSHAKE,
					protocolVersion: PROTOCOL_VERSION,
					token,
					actorId,
					actorName: actorId,
					mode: 'local',
					controlHz: 20,
					...driveSpecs(),
					source: 'sim',
					agentVersion: 'e2e-lap-sender'
				})
			)
		);
		ws.on('message', (data: Buffer) => {
			const message = decodeMessage(new Uint8Array(data));
			if (message.type === MessageType.ERROR) reject(new Error(`refused: ${message.code} ${message.message}`));
			if (message.type === MessageType.WEIGHTS_UPDATE)
				ws.send(encodeMessage({ type: MessageType.WEIGHTS_ACK, policyVersion: message.manifest.policyVersion, error: '' }));
			if (message.type === MessageType.PING) ws.send(encodeMessage({ type: MessageType.PONG, seq: message.seq, t: message.t }));
			if (message.type === MessageType.HANDSHAKE_ACCEPT)
				resolve({
					send: (lap) => ws.send(encodeMessage({ type: MessageType.LAP, ...lap })),
					close: () => ws.close()
				});
		});
	});
}
