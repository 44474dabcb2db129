import { Pool } from 'pg';

/**
 * Every ims table's content by natural keys: what the files say, independent of load order.
 * The columns come from the catalog, so a column added by a migration is compared the day it
 * exists; what is left out or replaced is said here, by rule, not column by column:
 * - each table's own serial id (a column defaulting to nextval) is left out;
 * - a foreign key to a serial id is replaced by the natural key of the row it points to, named
 *   after it (issue_pk -> issue_id, source_session_id -> source_session_uuid; NATURAL_KEYS: a
 *   foreign key to a table not listed there is an error, so a new one is decided on, not
 *   silently compared by id);
 * - the ingestion-time columns (INGESTION_TIME) and the audit log's own history (LEFT_OUT) are
 *   left out; values that embed a serial id (VALUE_OVERRIDES) have it removed.
 * Rows are ordered by every column, so two snapshots of the same rows are equal whatever order
 * they were written in.
 */

const NATURAL_KEYS: Record<string, { key: string; id: string }> = {
  users: { key: 'username', id: 'user_id' },
  crawl_sessions: { key: 'session_uuid', id: 'session_id' },
  issues: { key: 'issue_id', id: 'issue_pk' },
};

const INGESTION_TIME = new Set(['created_at', 'updated_at']);

// The previous entry of a session's audit trail: which load came before depends on the order.
const LEFT_OUT = new Set(['audit_log.old_value']);

const VALUE_OVERRIDES: Record<string, string> = {
  'audit_log.new_value': `t.new_value - 'session_id'`,
};

interface Column {
  table: string;
  name: string;
  serial: boolean;
  /** The table a foreign key on this one column points to, if any. */
  references: string | null;
}

async function columns(pool: Pool): Promise<Map<string, Column[]>> {
  const { rows } = await pool.query<Column>(`
    SELECT c.relname AS table, a.attname AS name,
           coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false) AS serial,
           (SELECT r.relname FROM pg_constraint k JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.conkey = ARRAY[a.attnum]
            LIMIT 1) AS references
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
    WHERE n.nspname = 'ims' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname, a.attnum`);
  const byTable = new Map<string, Column[]>();
  for (const row of rows) byTable.set(row.table, [...(byTable.get(row.table) ?? []), row]);
  return byTable;
}

/** The select-list entry for `col`, or undefined when it is left out. */
function selectItem(col: Column): string | undefined {
  if (col.serial || INGESTION_TIME.has(col.name) || LEFT_OUT.has(`${col.table}.${col.name}`)) return undefined;
  const override = VALUE_OVERRIDES[`${col.table}.${col.name}`];
  if (override !== undefined) return `${override} AS ${col.name}`;
  if (col.references !== null) {
    const target = NATURAL_KEYS[col.references];
    if (target === undefined) {
      throw new Error(
        `snapshot: ims.${col.table}.${col.name} references ims.${col.references}, which has no natural key in NATURAL_KEYS`,
      );
    }
    const alias = col.name.replace(target.id, target.key);
    return `(SELECT x.${target.key} FROM ims.${col.references} x WHERE x.${target.id} = t.${col.name}) AS ${alias}`;
  }
  return `t.${col.name}`;
}

export async function naturalSnapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, cols] of await columns(pool)) {
    const items = cols.map(selectItem).filter((s): s is string => s !== undefined);
    const order = items.map((_, i) => i + 1).join(', ');
    out[table] = (await pool.query(`SELECT ${items.join(', ')} FROM ims.${table} t ORDER BY ${order}`)).rows;
  }
  return out;
}
