/**
 * The transition ledger: where every step an actor delivered went, per actor id, over the whole
 * run (it is saved in every checkpoint and restored with it, so a crash rewinds it to the same
 * instant as the trainer and the held steps). The books balance:
 *
 *   received = trained + stale + overflow + rejected + held
 *
 * `rejected` steps were taken for an update that the training guard rolled back (non-finite).
 * `refused` steps came in batches the learner would not store (never received); `resentBatches`
 * arrived again after they were stored (acked and ignored); `skippedBatches` are seq gaps — batches
 * the actor never delivered (it dropped them beyond its buffer bound, or they were stored by a
 * learner that crashed before they were durable and the actor no longer had them).
 */
import type { TransitionCounts } from '../../protocol/index.ts';

export type LedgerField = Exclude<keyof TransitionCounts, 'held'>;
type Books = Record<LedgerField, number>;

const FIELDS: LedgerField[] = ['received', 'trained', 'stale', 'overflow', 'rejected', 'refused', 'resentBatches', 'skippedBatches'];
const empty = (): Books => ({ received: 0, trained: 0, stale: 0, overflow: 0, rejected: 0, refused: 0, resentBatches: 0, skippedBatches: 0 });

export class TransitionLedger {
	private readonly books = new Map<string, Books>();

	private of(actorId: string): Books {
		let books = this.books.get(actorId);
		if (!books) this.books.set(actorId, (books = empty()));
		return books;
	}

	add(actorId: string, field: LedgerField, n: number): void {
		if (n !== 0) this.of(actorId)[field] += n;
	}

	/** An update on `steps` (per actor) was rolled back: they move from trained to rejected. */
	reject(steps: Map<string, number>): void {
		for (const [actorId, n] of steps) {
			this.add(actorId, 'trained', -n);
			this.add(actorId, 'rejected', n);
		}
	}

	/** One actor's books, with the steps still held (received and not yet trained or dropped). */
	counts(actorId: string): TransitionCounts {
		return withHeld(this.books.get(actorId) ?? empty());
	}

	/** The whole run's books, or those of the actor ids given. */
	totals(actorIds: Iterable<string> = this.books.keys()): TransitionCounts {
		const sum = empty();
		for (const id of actorIds) for (const f of FIELDS) sum[f] += this.books.get(id)?.[f] ?? 0;
		return withHeld(sum);
	}

	/** The actor ids with books. */
	actorIds(): string[] {
		return [...this.books.keys()];
	}

	/** For the checkpoint's meta (plain JSON). */
	save(): Record<string, Books> {
		return Object.fromEntries([...this.books].map(([id, books]) => [id, { ...books }]));
	}

	/** Replaces the books with a checkpoint's; unknown or missing fields count as 0. */
	restore(saved: Record<string, Partial<Books>> | undefined): void {
		this.books.clear();
		for (const [id, books] of Object.entries(saved ?? {})) {
			const restored = empty();
			for (const f of FIELDS) restored[f] = Number(books[f]) || 0;
			this.books.set(id, restored);
		}
	}
}

function withHeld(books: Books): TransitionCounts {
	return { ...books, held: books.received - books.trained - books.stale - books.overflow - books.rejected };
}
