import type { IngestArgs } from './ingest-args.js';

/**
 * Group commit for the ingest. A message that arrives while the process already has
 * `maxStatements` stores running waits for one to finish, and every message waiting then goes in
 * one statement: `ingest_message` called once per message, in one implicit transaction (one
 * commit, one WAL flush, one round trip for all of them). When the process is not busy a message
 * goes alone, at once: batching costs no latency; under load it replaces the queueing for pooled
 * connections that was there anyway (docs/benchmarks.md, "Ingest").
 *
 * What a single call guarantees still holds for each message: its sender's advisory lock is taken
 * first (re-entrant, so two messages of one sender in a batch are stored one after the other, the
 * second seeing the first's ticket), every statement inside the function takes its snapshot after
 * that lock (it is VOLATILE), and the caller acknowledges after the commit, when the statement
 * answers. Messages are sorted by sender so that two batches take the senders' locks in the same
 * order. If the statement fails, nothing of it was stored (one transaction): each message is then
 * stored alone, so one bad message (an unknown comune, a duplicate racing in from another process,
 * a deadlock with a dispatch) gets its own answer and the others theirs.
 */

/** One message: the single call (also inside a caller's transaction, after the interceptors). */
export const INGEST_SQL = `SELECT * FROM ingest_message($1::jsonb)`;

/** Several messages in one statement: one call per element of the array, answered in its order. */
const MANY = `SELECT r.* FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(m, ord)
  CROSS JOIN LATERAL ingest_message(x.m) r
  ORDER BY x.ord`;

interface Waiting<Row> {
  params: IngestArgs;
  resolve: (row: Row) => void;
  reject: (err: unknown) => void;
}

export class IngestBatcher<Row> {
  private readonly waiting: Array<Waiting<Row>> = [];
  private running = 0;
  /** Statements run, messages stored in statements of several, and batches that failed and were stored one by one. */
  readonly stats = { statements: 0, batchedMessages: 0, splitBatches: 0 };

  constructor(
    /** Runs a statement in the scope of the comuni whose messages it stores. */
    private readonly query: (sql: string, params: unknown[], comuni: number[]) => Promise<Row[]>,
    private readonly maxStatements: number,
    private readonly maxBatch = 64,
  ) {}

  /** Stores one message (committed when the promise resolves) and answers `ingest_message`'s row. */
  store(params: IngestArgs): Promise<Row> {
    return new Promise<Row>((resolve, reject) => {
      this.waiting.push({ params, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.maxStatements && this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async run(batch: Array<Waiting<Row>>): Promise<void> {
    if (batch.length > 1) {
      batch.sort((a, b) => cmp(senderOf(a.params), senderOf(b.params)));
      try {
        // One row per message (every path of ingest_message answers one), in the batch's order.
        this.stats.statements++;
        const rows = await this.query(
          MANY,
          [JSON.stringify(batch.map((w) => w.params))],
          batch.map((w) => comuneOf(w.params)),
        );
        this.stats.batchedMessages += batch.length;
        batch.forEach((w, i) => w.resolve(rows[i]));
        return;
      } catch {
        // Nothing of the batch was stored: each message alone below, with its own outcome or error.
        this.stats.splitBatches++;
      }
    }
    this.stats.statements += batch.length;
    await Promise.all(
      batch.map((w) =>
        this.query(INGEST_SQL, [JSON.stringify(w.params)], [comuneOf(w.params)]).then((rows) => w.resolve(rows[0]), w.reject),
      ),
    );
  }
}

/** The comune a message is stored in. */
function comuneOf(params: IngestArgs): number {
  return params.comuneId;
}

/** Channel and sender address: the key of the sender's advisory lock. */
function senderOf(params: IngestArgs): string {
  return `${params.channel}|${params.address}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
