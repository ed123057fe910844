/** PING and PONG bodies; a PING may carry the actor's health figures. */
import type { Body } from '../body.ts';
import { ACTOR_STATS_FIELDS, MessageType, type ActorStats, type Ping, type Pong } from '../types.ts';
import type { BodyCodec } from './codec-types.ts';

function decodeStats(b: Body): ActorStats {
	const stats = {} as ActorStats;
	for (const key of ACTOR_STATS_FIELDS) stats[key] = b.num(key);
	stats.rssMb = b.has('rssMb') ? b.num('rssMb') : 0;
	return stats;
}

export const pingCodec: BodyCodec<Ping> = {
	encode: (m) => (m.stats ? { seq: m.seq, t: m.t, stats: { ...m.stats } } : { seq: m.seq, t: m.t }),
	decode: (b) => {
		const ping: Ping = { type: MessageType.PING, seq: b.int('seq'), t: b.num('t') };
		if (b.has('stats')) ping.stats = decodeStats(b.map('stats'));
		return ping;
	}
};

export const pongCodec: BodyCodec<Pong> = {
	encode: (m) => ({ seq: m.seq, t: m.t }),
	decode: (b) => ({ type: MessageType.PONG, seq: b.int('seq'), t: b.num('t') })
};
