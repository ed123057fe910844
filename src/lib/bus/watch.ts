/**
 * A KV watch that lasts: nats.js's watch iterator can end without an error (its consumer gone for
 * good, a permission change); this one is opened again, resuming after the last revision seen,
 * until stopped. `onEntry` must not throw (what it throws is logged and the entry skipped).
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { Log } from '../server/log.ts';

const REOPEN_MS = 1000;

export interface Watch {
	/** Resolves once the first watch is open (its current values are on the way). */
	readonly opened: Promise<void>;
	stop(): void;
}

export function watchKeys(kv: KV, key: string, onEntry: (entry: KvWatchEntry) => void, log: Log): Watch {
	let stopped = false;
	let revision = 0;
	let stopCurrent: (() => void) | undefined;
	let markOpened: () => void = () => undefined;
	let failOpen: (error: unknown) => void = () => undefined;
	const opened = new Promise<void>((resolve, reject) => {
		markOpened = resolve;
		failOpen = reject;
	});
	let first = true;
	void (async () => {
		while (!stopped) {
			try {
				const watch = await kv.watch({ key, ...(revision > 0 ? { resumeFromRevision: revision + 1 } : {}) });
				stopCurrent = () => watch.stop();
				if (first) markOpened();
				first = false;
				for await (const entry of watch) {
					if (stopped) break;
					revision = Math.max(revision, entry.revision);
					try {
						onEntry(entry);
					} catch (error) {
						log.error({ err: error, key: entry.key }, 'a KV watch handler failed; entry skipped');
					}
				}
			} catch (error) {
				if (first) return failOpen(error);
				log.warn({ err: (error as Error).message, key }, 'KV watch failed; opening it again');
			}
			if (!stopped) {
				log.debug({ key, revision }, 'KV watch ended; opening it again');
				await new Promise((resolve) => setTimeout(resolve, REOPEN_MS));
			}
		}
	})();
	return {
		opened,
		stop: () => {
			stopped = true;
			stopCurrent?.();
		}
	};
}
