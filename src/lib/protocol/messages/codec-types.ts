import type { Body, Fields } from '../body.ts';
import type { CompressMode } from '../frame.ts';
import type { Message, MessageType } from '../types.ts';

/** How one message type maps to and from its MessagePack body. */
export interface BodyCodec<M extends Message> {
	encode(message: M): Fields;
	decode(body: Body, type: MessageType): M;
	/** Compression choice for this message (default: 'auto', by size). */
	compress?(message: M): CompressMode;
}
