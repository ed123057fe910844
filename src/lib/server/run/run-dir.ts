/**
 * One run's directory: runs/<run-id>/{config.json, metrics.jsonl, events.out.tfevents.*,
 * checkpoints/}. Checkpoints are ckpt-<updates>.zip (the newest `keep` are kept) plus latest.zip
 * and best.zip (by mean episode return).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MetricsFile } from './metrics-file.ts';
import { EventFileWriter } from './tfevents.ts';

export interface CheckpointInfo {
	id: string;
	file: string;
	bytes: number;
	savedAt: string;
	updates: number | null;
}

export const LATEST = 'latest';
const POLICY_VERSION_FILE = 'policy-version';
/** Free space kept beyond a checkpoint's own copies, for metrics and the system. */
const FREE_SPACE_MARGIN = 64 * 2 ** 20;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
export const BEST = 'best';
export const CHECKPOINT_ID = /^(ckpt-\d{8}|latest|best)$/;

export class RunDir {
	readonly dir: string;
	readonly checkpointsDir: string;
	readonly events: EventFileWriter;
	readonly metrics: MetricsFile;

	constructor(
		root: string,
		readonly runId: string,
		maxMetricsBytes = Number.MAX_SAFE_INTEGER
	) {
		this.dir = resolve(root, runId);
		this.checkpointsDir = join(this.dir, 'checkpoints');
		mkdirSync(this.checkpointsDir, { recursive: true });
		this.metrics = new MetricsFile(join(this.dir, 'metrics.jsonl'), maxMetricsBytes);
		this.events = new EventFileWriter(this.dir);
	}

	/** True when the directory already holds a checkpoint to resume from. */
	static hasCheckpoint(root: string, runId: string): boolean {
		return existsSync(join(resolve(root, runId), 'checkpoints', `${LATEST}.zip`));
	}

	/**
	 * The highest policy version this run ever handed to actors, written before each broadcast: a
	 * run resumed after a crash numbers its policies after it, so no version means two policies.
	 */
	markPolicyVersion(version: number): void {
		writeFileSync(join(this.dir, POLICY_VERSION_FILE), `${version}\n`);
	}

	/** The mark (undefined when absent or torn). */
	policyVersionMark(): number | undefined {
		const file = join(this.dir, POLICY_VERSION_FILE);
		if (!existsSync(file)) return undefined;
		const text = readFileSync(file, 'utf8').trim();
		const value = Number(text);
		return /^\d+$/.test(text) && Number.isSafeInteger(value) ? value : undefined; // '' (a torn write) is no mark, not 0
	}

	writeConfig(config: unknown): void {
		writeFileSync(join(this.dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
	}

	/**
	 * For a resume: cuts metrics.jsonl after `step` (the checkpoint's last), from the end, so the
	 * resumed run's lines continue from it; a torn last line goes too. Returns the lines removed.
	 */
	cutMetricsAfter(step: number): number {
		return this.metrics.cutAfter(step);
	}

	/** Writes ckpt-<updates>.zip and latest.zip (atomically), optionally best.zip; prunes to `keep`. */
	saveCheckpoint(bytes: Uint8Array, updates: number, keep: number, isBest: boolean): CheckpointInfo {
		this.checkFreeSpace(bytes.length);
		const id = `ckpt-${String(updates).padStart(8, '0')}`;
		const file = join(this.checkpointsDir, `${id}.zip`);
		const tmp = `${file}.tmp`;
		writeFileSync(tmp, bytes);
		renameSync(tmp, file);
		copyFileSync(file, `${join(this.checkpointsDir, LATEST)}.zip.tmp`);
		renameSync(`${join(this.checkpointsDir, LATEST)}.zip.tmp`, join(this.checkpointsDir, `${LATEST}.zip`));
		if (isBest) copyFileSync(file, join(this.checkpointsDir, `${BEST}.zip`));
		const numbered = this.list()
			.filter((c) => c.updates !== null)
			.sort((a, b) => b.updates! - a.updates!);
		for (const old of numbered.slice(keep)) rmSync(old.file, { force: true });
		return this.info(id)!;
	}

	/**
	 * A checkpoint writes up to three copies (numbered, latest, best) through temporary files: with
	 * less free space than that plus a margin it is not started (a half-written latest.zip would be
	 * worse than the previous one).
	 */
	private checkFreeSpace(bytes: number): void {
		const { bavail, bsize } = this.freeSpace(this.checkpointsDir);
		const free = bavail * bsize;
		const needed = 3 * bytes + FREE_SPACE_MARGIN;
		if (free < needed) throw new Error(`not enough free disk for a checkpoint: ${mb(free)} MB free in ${this.checkpointsDir}, ${mb(needed)} MB needed`);
	}

	/** The file system's free blocks (a seam for tests). */
	freeSpace: (path: string) => { bavail: number; bsize: number } = (path) => statfsSync(path);

	list(): CheckpointInfo[] {
		return readdirSync(this.checkpointsDir)
			.filter((f) => f.endsWith('.zip'))
			.map((f) => this.info(f.slice(0, -4)))
			.filter((c): c is CheckpointInfo => c !== undefined)
			.sort((a, b) => a.id.localeCompare(b.id));
	}

	/** The checkpoint called `id` (ckpt-NNNNNNNN, latest, best), or undefined. Ids are validated. */
	info(id: string): CheckpointInfo | undefined {
		if (!CHECKPOINT_ID.test(id)) return undefined;
		const file = join(this.checkpointsDir, `${id}.zip`);
		if (!existsSync(file)) return undefined;
		const stat = statSync(file);
		const updates = id.startsWith('ckpt-') ? Number(id.slice(5)) : null;
		return { id, file, bytes: stat.size, savedAt: stat.mtime.toISOString(), updates };
	}

	read(id: string): Uint8Array<ArrayBuffer> | undefined {
		const info = this.info(id);
		return info ? readFileSync(info.file) : undefined;
	}
}
