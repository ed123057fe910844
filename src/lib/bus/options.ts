/** How the learner and the gateway reach the bus (declared once for both; docs/scale-out.md). */
import { custom, defineOptions, int, str, type OptionValues } from '../options/index.ts';
import type { BusOptions } from './connection.ts';

/** `nats://host:port` or `tls://…`, several comma-separated (one cluster's servers). */
function isBusUrls(x: unknown): x is string | undefined {
	if (x === undefined) return true;
	return typeof x === 'string' && x.split(',').every((url) => /^(nats|tls):\/\/[^\s,/]+$/.test(url.trim()));
}

export const BUS_OPTIONS = defineOptions(
	{
		bus: custom(
			'string',
			'NATS JetStream servers (scale-out: actors connect to gateways, see docs/scale-out.md); unset = no bus',
			undefined,
			'nats:// or tls:// URLs, comma-separated',
			isBusUrls
		),
		busCreds: str("a NATS credentials file for this process's role", undefined),
		busCa: str('CA certificate for tls:// bus servers signed by a private CA', undefined),
		busStreamMaxMb: int("the transition stream's size cap when this process creates it, MB (full: gateways refuse batches, actors keep them)", 8192)
	},
	{ title: 'Bus', noun: 'bus option', envPrefix: 'PITWALL_' }
);

export type BusFlags = OptionValues<typeof BUS_OPTIONS.options>;

/** How long a batch id is remembered for de-duplication: far longer than an actor's reconnect. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export function busOptions(flags: BusFlags, name: string): BusOptions | undefined {
	if (!flags.bus) return undefined;
	return {
		servers: flags.bus.split(',').map((url) => url.trim()),
		credsFile: flags.busCreds,
		caFile: flags.busCa,
		name,
		streamMaxMb: flags.busStreamMaxMb,
		duplicateWindowMs: DUPLICATE_WINDOW_MS
	};
}
