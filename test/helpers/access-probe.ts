import { Client, Pool } from 'pg';

/**
 * What one role can do to one relation of schema ims, found by trying it. Reads are compared
 * row by row (md5 of each row's JSON) with what the superuser sees; writes are tried with
 * `WHERE false`, which checks the privilege and changes nothing, inside a rolled-back
 * transaction all the same.
 */

export interface Relation {
  name: string;
  /** Name the expectations use: a partition's is `<parent> partitions`. */
  key: string;
  kind: 'table' | 'view';
  /** A column for the INSERT and UPDATE probes. */
  column: string;
}

/** Every table, partition, view and materialized view of schema ims. */
export async function catalogRelations(pool: Pool): Promise<Relation[]> {
  const { rows } = await pool.query<{ name: string; parent: string | null; relkind: string; col: string }>(`
    SELECT c.relname AS name, p.relname AS parent, c.relkind::text,
           (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
            AND NOT a.attisdropped ORDER BY a.attnum LIMIT 1) AS col
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
    LEFT JOIN pg_class p ON p.oid = i.inhparent
    WHERE n.nspname = 'ims' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    ORDER BY c.relname`);
  return rows.map((r) => ({
    name: r.name,
    key: r.parent ? `${r.parent} partitions` : r.name,
    kind: r.relkind === 'v' || r.relkind === 'm' ? 'view' : 'table',
    column: r.col,
  }));
}

const rowHashes = (rel: string, where = 'true') =>
  `SELECT md5(to_jsonb(t)::text) AS h FROM ims.${rel} t WHERE ${where} ORDER BY 1`;

/** The rows as the superuser sees them: all, and those of one user (`own`, $1 = user_id). */
export async function referenceRows(pool: Pool, rel: string, own?: string, userId?: number) {
  const all = (await pool.query<{ h: string }>(rowHashes(rel))).rows.map((r) => r.h);
  const mine = own ? (await pool.query<{ h: string }>(rowHashes(rel, own), [userId])).rows.map((r) => r.h) : undefined;
  return { all, mine };
}

/**
 * The rows of a view that filters by ims.current_app_user_id() itself (v_my_downloads): as
 * the superuser acting for each user in turn (a superuser counts as ims_app); all = the union.
 */
export async function referenceRowsActing(pool: Pool, rel: string, userIds: number[], userId?: number) {
  const as = async (id: number) => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      await c.query(`SET LOCAL app.current_user_id = '${id}'`);
      return (await c.query<{ h: string }>(rowHashes(rel))).rows.map((r) => r.h);
    } finally {
      await c.query('ROLLBACK');
      c.release();
    }
  };
  const all: string[] = [];
  for (const id of userIds) all.push(...(await as(id)));
  return { all: all.sort(), mine: userId === undefined ? undefined : await as(userId) };
}

const DENIED = '42501';

/** Runs `sql` in a transaction that is rolled back; undefined when permission is denied. */
async function attempt<T>(c: Client, setup: string | undefined, sql: string): Promise<T[] | undefined> {
  await c.query('BEGIN');
  try {
    if (setup) await c.query(setup);
    return (await c.query(sql)).rows as T[];
  } catch (err) {
    if ((err as { code?: string }).code === DENIED) return undefined;
    throw err;
  } finally {
    await c.query('ROLLBACK');
  }
}

/**
 * The cell for `rel` as the client's role: `<read>[ <writes>]`, read one of all (every row
 * the superuser sees; for a view, every row, its figures computed from what the caller may
 * read), own (exactly the acting user's rows), cols (every row, some columns only), none (no
 * row), `—` (permission denied); writes the letters of INSERT, UPDATE, DELETE allowed.
 */
export async function probe(
  c: Client,
  setup: string | undefined,
  rel: Relation,
  ref: { all: string[]; mine?: string[] },
): Promise<string> {
  const count = await attempt<{ n: number }>(c, setup, `SELECT count(*)::int AS n FROM ims.${rel.name}`);
  let read: string;
  if (count === undefined) read = '—';
  else {
    const rows = await attempt<{ h: string }>(c, setup, rowHashes(rel.name));
    const seen = rows?.map((r) => r.h);
    const same = (a: string[] | undefined) => a !== undefined && JSON.stringify(a) === JSON.stringify(seen);
    if (seen === undefined) read = count[0].n === ref.all.length ? 'cols' : `cols(${count[0].n} rows)`;
    else if (ref.mine && ref.mine.length < ref.all.length && same(ref.mine)) read = 'own';
    else if (same(ref.all) || (rel.kind === 'view' && seen.length === ref.all.length)) read = 'all';
    else if (seen.length === 0) read = 'none';
    else read = `other(${seen.length} of ${ref.all.length} rows)`;
  }
  if (rel.kind === 'view') return read;
  const q = `"${rel.column}"`;
  const writes = [
    ['I', `INSERT INTO ims.${rel.name} (${q}) SELECT NULL WHERE false`],
    ['U', `UPDATE ims.${rel.name} SET ${q} = NULL WHERE false`],
    ['D', `DELETE FROM ims.${rel.name} WHERE false`],
  ];
  let allowed = '';
  for (const [letter, sql] of writes) if ((await attempt(c, setup, sql)) !== undefined) allowed += letter;
  return allowed ? `${read} ${allowed}` : read;
}

/** The matrix as a markdown table: one row per relation key, one column per actor. */
export function renderMatrix(
  actors: readonly string[],
  cells: Record<string, string[]>,
  kinds: Record<string, string>,
): string {
  const head = `| relation | ${actors.join(' | ')} |\n|---|${actors.map(() => '---').join('|')}|`;
  const body = Object.keys(cells)
    .sort()
    .map((k) => `| \`${k}\`${kinds[k] === 'view' ? ' (view)' : ''} | ${cells[k].join(' | ')} |`);
  return [head, ...body].join('\n');
}
