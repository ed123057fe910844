/**
 * A connection to the NATS JetStream bus, with the stream, the KV bucket and the object store
 * pitwall uses (./names.ts) created when missing. Reconnects forever (a restarted nats-server is
 * waited for); JetStream calls fail while it is away and their callers retry or refuse.
 */
import { readFileSync } from 'node:fs';
import { DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { KV_BUCKET, OBJECT_BUCKET, STREAM, subjects } from './names.ts';

export interface BusOptions {
	/** nats:// or tls:// URLs of one cluster. */
	servers: string[];
	/** A NATS credentials file (JWT + nkey) for this process's role. */
	credsFile?: string;
	/** CA certificate for tls:// servers signed by a private CA. */
	caFile?: string;
	/** The connection's name in nats-server's monitoring. */
	name: string;
	/** The stream's size cap when this process creates it, MB (a full stream refuses batches: actors keep them). */
	streamMaxMb: number;
	/** How long a stored batch id is remembered for de-duplication, ms. */
	duplicateWindowMs: number;
}

export interface Bus {
	nc: NatsConnection;
	js: JetStreamClient;
	jsm: JetStreamManager;
	kv: KV;
	objects: ObjectStore;
	close(): Promise<void>;
}

const NS_PER_MS = 1_000_000;

export async function openBus(o: BusOptions): Promise<Bus> {
	const nc = await connect({
		servers: o.servers,
		name: o.name,
		maxReconnectAttempts: -1,
		reconnectTimeWait: 250,
		...(o.credsFile ? { authenticator: credsAuthenticator(readFileSync(o.credsFile)) } : {}),
		...(o.caFile ? { tls: { caFile: o.caFile } } : {})
	});
	try {
		const jsm = await jetstreamManager(nc);
		await ensureStream(jsm, o);
		const js = jetstream(nc);
		const kv = await new Kvm(js).create(KV_BUCKET, { history: 1, storage: StorageType.File });
		const objects = await new Objm(js).create(OBJECT_BUCKET, { storage: StorageType.File });
		return { nc, js, jsm, kv, objects, close: () => nc.drain() };
	} catch (error) {
		await nc.close();
		throw error;
	}
}

async function ensureStream(jsm: JetStreamManager, o: BusOptions): Promise<void> {
	try {
		await jsm.streams.info(STREAM);
		return;
	} catch (error) {
		if (!isNotFound(error)) throw error;
	}
	await jsm.streams
		.add({
			name: STREAM,
			subjects: [subjects.stream],
			retention: RetentionPolicy.Workqueue,
			storage: StorageType.File,
			discard: DiscardPolicy.New,
			max_bytes: o.streamMaxMb * 2 ** 20,
			duplicate_window: o.duplicateWindowMs * NS_PER_MS
		})
		.catch(async (error: unknown) => {
			// Another process created it meanwhile.
			if (
				!(await jsm.streams.info(STREAM).then(
					() => true,
					() => false
				))
			)
				throw error;
		});
}

/** JetStream's "not found" (stream, consumer, message), which some calls return as an error. */
export function isNotFound(error: unknown): boolean {
	const e = error as { code?: unknown; api_error?: { err_code?: number }; message?: string };
	return e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014 || e?.code === '404' || /not found/i.test(e?.message ?? '');
}
