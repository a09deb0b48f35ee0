// Named prepared statements for PGlite. `PGlite.query` sends every statement as an unnamed one: parse, describe,
// bind, describe, execute and sync, so the WebAssembly Postgres parses and plans it again each time. The store's
// statements are few and repeated (one per shape of change, prepared by Drizzle), so a statement seen a second time
// is parsed once under a name, with its parameter types and row description kept; then each call is bind, execute
// and sync in one message. Results are parsed by PGlite's own parser, as `query` does: same rows, fields and
// affected rows. Outside transactions only (inside one, the transaction's own `query` is used).
import { parse, protocol, type ParserOptions, type PGlite, type Results, type RowMode } from '@electric-sql/pglite';

type BackendMessage = Parameters<typeof parse.parseResults>[0][number];

interface Prepared {
  name: string;
  /** The parameters' type ids, from the server's description of the statement. */
  types: number[];
  /** The row description, when the statement returns rows (parseResults reads the fields from it). */
  rowDescription: BackendMessage | undefined;
}

/** Statements prepared at most; past it, new ones run unnamed (a bound on what the backend keeps). */
const MAX_PREPARED = 256;

// `_runExclusiveTransaction`, `_runExclusiveQuery`, `serializers` and `parsers` are declared by PGlite's base class;
// `query` itself uses them, and so must a statement run beside it.
interface PGliteInternals {
  _checkReady(): Promise<void>;
  _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T>;
  _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>;
  serializers: Record<number, (value: unknown) => string>;
  parsers: Parameters<typeof parse.parseResults>[1];
}

export class PreparedStatements {
  private readonly prepared = new Map<string, Prepared>();
  private readonly seen = new Set<string>();
  private named = 0;
  private readonly internals: PGliteInternals;

  constructor(
    private readonly db: PGlite,
    private readonly parsers: ParserOptions,
  ) {
    this.internals = db as unknown as PGliteInternals;
  }

  /** The statement's result, as `db.query(sql, params, { rowMode, parsers })` would give it. */
  async query(sql: string, params: unknown[], rowMode: RowMode): Promise<Results> {
    const prepared = this.prepared.get(sql);
    if (!prepared) {
      // Once is not a pattern: migrations and one-off statements are not kept.
      const again = this.seen.has(sql);
      if (!again || this.prepared.size >= MAX_PREPARED) {
        if (this.seen.size < MAX_PREPARED * 4) this.seen.add(sql);
        return this.db.query(sql, params, { rowMode, parsers: this.parsers });
      }
    }
    await this.internals._checkReady();
    return this.internals._runExclusiveTransaction(() =>
      this.internals._runExclusiveQuery(async () => {
        // Looked up again under the lock: another call may have prepared it while this one waited.
        const statement = this.prepared.get(sql) ?? (await this.prepare(sql));
        const values = params.map((value, index) => {
          if (value === null || value === undefined) return null;
          const serialize = this.internals.serializers[statement.types[index]!];
          return serialize ? serialize(value) : String(value);
        });
        const { messages } = await this.db.execProtocol(
          Buffer.concat([
            protocol.serialize.bind({ statement: statement.name, values }),
            protocol.serialize.execute({}),
            protocol.serialize.sync(),
          ]),
          { syncToFs: false },
        );
        const described = statement.rowDescription ? [statement.rowDescription, ...messages] : messages;
        const [result] = parse.parseResults(described, this.internals.parsers, { rowMode, parsers: this.parsers });
        await this.db.syncToFs();
        return result ?? { rows: [], fields: [] };
      }),
    );
  }

  private async prepare(sql: string): Promise<Prepared> {
    // A name is never given twice: the map's size is not a counter (a statement prepared again keeps its key).
    this.named += 1;
    const name = `twisterlab_${this.named}`;
    const { messages } = await this.db.execProtocol(
      Buffer.concat([
        protocol.serialize.parse({ name, text: sql }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const prepared: Prepared = {
      name,
      types: parse.parseDescribeStatementResults(messages),
      rowDescription: messages.find((message) => message.name === 'rowDescription'),
    };
    this.prepared.set(sql, prepared);
    return prepared;
  }
}
