import type { Body, Fields } from '../body.ts';
import type { CompressMode } from '../frame.ts';
import type { Message, MessageType } from '../types.ts';

/** How one message type maps to and from its MessagePack body. */
/** Column coding for batches: `compact` (PRED_RICE, ~6× smaller) or `raw` (fastest). */
export type ColumnMode = 'compact' | 'raw';

export interface BodyCodec<M extends Message> {
	encode(message: M, columns: ColumnMode): Fields;
	decode(body: Body, type: MessageType): M;
	/** Compression choice for this message (default: 'auto', by size). */
	compress?(message: M): CompressMode;
}
