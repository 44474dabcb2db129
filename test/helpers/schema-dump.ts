import { Pool } from 'pg';

/**
 * A readable, deterministic description of schema ims (tables, columns, constraints, indexes,
 * views, functions, triggers, policies, partitions), made from the catalogs so it needs no
 * pg_dump binary of a matching version. Committed as test/schema.sql: every schema change
 * shows up as a plain diff in review.
 */
export async function dumpSchema(pool: Pool): Promise<string> {
  const parts: string[] = [];
  const q = async (sql: string) => (await pool.query(sql)).rows;

  for (const t of await q(`
      SELECT c.oid, c.relname, c.relkind, pg_get_partkeydef(c.oid) AS partkey,
             pg_get_expr(c.relpartbound, c.oid) AS bound, c.relrowsecurity, c.relforcerowsecurity
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'ims' AND c.relkind IN ('r', 'p') ORDER BY c.relname`)) {
    const cols = await q(`
      SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
             pg_get_expr(d.adbin, d.adrelid) AS def
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ${t.oid} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`);
    const lines = cols.map(
      (c) => `    ${c.attname} ${c.type}${c.attnotnull ? ' NOT NULL' : ''}${c.def ? ` DEFAULT ${c.def}` : ''}`,
    );
    for (const k of await q(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                              WHERE conrelid = ${t.oid} ORDER BY conname`)) {
      lines.push(`    CONSTRAINT ${k.conname} ${k.def}`);
    }
    let head = `TABLE ims.${t.relname}`;
    if (t.bound) head += ` PARTITION ${t.bound}`;
    if (t.partkey) head += ` PARTITION BY ${t.partkey}`;
    if (t.relrowsecurity) head += ` ROW LEVEL SECURITY${t.relforcerowsecurity ? ' (FORCED)' : ''}`;
    parts.push(`${head} (\n${lines.join(',\n')}\n);`);
  }
  const section = async (title: string, sql: string) => {
    const rows = await q(sql);
    parts.push(`-- ${title}\n${rows.map((r) => r.def).join('\n')}`);
  };
  await section(
    'indexes',
    `SELECT pg_get_indexdef(i.indexrelid) || ';' AS def FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'ims' ORDER BY c.relname`,
  );
  await section(
    'views',
    `SELECT 'VIEW ims.' || c.relname || E' AS\\n' || pg_get_viewdef(c.oid, true) AS def
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'ims' AND c.relkind = 'v' ORDER BY c.relname`,
  );
  await section(
    'functions',
    `SELECT pg_get_functiondef(p.oid) || ';' AS def FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'ims' ORDER BY p.proname, pg_get_function_identity_arguments(p.oid)`,
  );
  await section(
    'triggers',
    `SELECT pg_get_triggerdef(t.oid) || ';' AS def FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'ims' AND NOT t.tgisinternal ORDER BY c.relname, t.tgname`,
  );
  await section(
    'policies',
    `SELECT format('POLICY %s ON ims.%s FOR %s TO %s USING (%s)%s;', policyname, tablename, cmd,
        array_to_string(ARRAY(SELECT CASE WHEN r = current_user THEN '<loader>' ELSE r END FROM unnest(roles) r ORDER BY 1), ', '),
        qual, coalesce(' WITH CHECK (' || with_check || ')', '')) AS def
      FROM pg_policies WHERE schemaname = 'ims' ORDER BY tablename, policyname`,
  );
  return `${parts.join('\n\n')}\n`;
}
