import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PoolClient } from 'pg';
import { createPool, discoverSessions, inTransaction, scanSession } from './loader';
import { emptyResult, RunResult } from './result';

/**
 * The per-row way, as the crawler's own Python loader does it (docs/input-format.md §10,
 * item 15): per issue file, SELECT the issue, INSERT or UPDATE it, DELETE its comments, history
 * and attachments and INSERT them again, one statement per row, through node-postgres. It
 * writes the same tables and columns ims-ingest writes, with the key names fixed, and is
 * given the advantages the real one lacks: JSON.parse instead of a streaming parser, dates
 * converted in JS. The statements are inline because they are this reference loader, not part
 * of ims-ingest.
 *
 * Transactions, `transaction`: 'issue', the session row on its own first, then each issue file
 * in its own transaction, a loader that commits as it goes. The crawler's loader did not load
 * a session in one transaction (it left interrupted sessions 'running' forever,
 * docs/input-format.md §10); how often it committed after that is not known, so 'session', one
 * transaction for the whole session, is measured too: the most favourable reading.
 */

const SQL = {
  user: 'INSERT INTO ims.users (username) VALUES ($1) ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username RETURNING user_id',
  session: `INSERT INTO ims.crawl_sessions (session_uuid, user_id, product, original_query, parsed_query, status, started_at, data_path, folder_name, layout)
            VALUES ($1, $2, $3, $4, $4, 'completed', $5, $6, $7, $8)
            ON CONFLICT (session_uuid) DO UPDATE SET status = EXCLUDED.status RETURNING session_id`,
  find: 'SELECT issue_pk FROM ims.issues WHERE issue_id = $1',
  insert: `INSERT INTO ims.issues (issue_id, title, description, product, status, priority, severity, issue_type, reporter, owner,
             registered_date, modified_date, closed_date, project_name, customer, found_version, fixed_version, full_data,
             first_crawled_at, last_crawled_at, crawl_count, assignee, url, source_session_id, source_crawled_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, 1, $20, $21, $22, $19)
           RETURNING issue_pk`,
  update: `UPDATE ims.issues SET title = $2, description = $3, product = $4, status = $5, priority = $6, severity = $7,
             issue_type = $8, reporter = $9, owner = $10, registered_date = $11, modified_date = $12, closed_date = $13,
             project_name = $14, customer = $15, found_version = $16, fixed_version = $17, full_data = $18,
             last_crawled_at = $19, crawl_count = crawl_count + 1, assignee = $20, url = $21, source_session_id = $22,
             source_crawled_at = $19
           WHERE issue_pk = $1`,
  link: `INSERT INTO ims.session_issues (session_id, issue_pk, crawl_order, crawled_at, source_file) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id, issue_pk) DO NOTHING`,
  deleteComments: 'DELETE FROM ims.issue_comments WHERE issue_pk = $1',
  comment: `INSERT INTO ims.issue_comments (issue_pk, comment_key, comment_number, author, content, commented_at, source_crawled_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
  deleteHistory: 'DELETE FROM ims.issue_history WHERE issue_pk = $1',
  history: `INSERT INTO ims.issue_history (issue_pk, entry_hash, changed_by, changed_at, description)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
  deleteAttachments: 'DELETE FROM ims.attachments WHERE issue_pk = $1',
  attachment: `INSERT INTO ims.attachments (issue_pk, attachment_key, file_id, session_id, filename, file_type, size_text, source_crawled_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
};

type Doc = Record<string, unknown> & { metadata?: Record<string, string> };
type Item = Record<string, string>;

/** `2025/10/17 18:12:14` or `2026-01-03T12:09:02.481537` (naive KST) -> timestamptz text. */
function kst(raw: unknown): string | null {
  const m =
    typeof raw === 'string'
      ? /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}(?:\.\d+)?))?$/.exec(raw)
      : null;
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}+09` : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const list = (v: unknown): Item[] => (Array.isArray(v) ? (v as Item[]) : []);

async function loadIssue(client: PoolClient, sessionId: string, relPath: string, doc: Doc): Promise<number> {
  const meta = doc.metadata ?? {};
  const crawledAt = kst(doc.crawled_at);
  const status = str(doc.status);
  const modified = kst(doc.updated_date);
  const values = [
    String(doc.issue_id),
    String(doc.title ?? ''),
    str(doc.description),
    str(doc.product),
    status,
    str(doc.priority),
    str(meta.severity),
    str(meta.category),
    str(doc.reporter),
    str(meta.owner),
    kst(doc.created_date),
    modified,
    status && /^closed/i.test(status) ? modified : null,
    str(meta.project),
    str(meta.customer),
    str(meta.version),
    str(meta.patch_version),
    JSON.stringify(doc),
    crawledAt,
    str(doc.assignee),
    str(doc.url),
    sessionId,
  ];
  let statements = 1;
  const found = await client.query<{ issue_pk: string }>(SQL.find, [doc.issue_id]);
  let issuePk: string;
  if (found.rowCount === 0) {
    issuePk = (await client.query<{ issue_pk: string }>(SQL.insert, values)).rows[0].issue_pk;
  } else {
    issuePk = found.rows[0].issue_pk;
    await client.query(SQL.update, [issuePk, ...values.slice(1)]);
  }
  await client.query(SQL.link, [
    sessionId,
    issuePk,
    typeof doc.crawl_order === 'number' ? doc.crawl_order : null,
    crawledAt,
    relPath,
  ]);
  await client.query(SQL.deleteComments, [issuePk]);
  for (const c of list(doc.comments)) {
    const key =
      str(c.action_no) ?? `md5:${createHash('md5').update(`${c.author}\x1f${c.date}\x1f${c.content}`).digest('hex')}`;
    const n = /^\d{1,18}$/.test(c.action_no ?? '') ? c.action_no : null;
    await client.query(SQL.comment, [issuePk, key, n, str(c.author), c.content ?? null, kst(c.date), crawledAt]);
  }
  await client.query(SQL.deleteHistory, [issuePk]);
  for (const h of list(doc.history)) {
    const hash = createHash('md5').update(`${h.date}\x1f${h.user}\x1f${h.details}`).digest('hex');
    await client.query(SQL.history, [issuePk, hash, str(h.user), kst(h.date), h.details ?? null]);
  }
  await client.query(SQL.deleteAttachments, [issuePk]);
  for (const a of list(doc.attachments)) {
    await client.query(SQL.attachment, [
      issuePk,
      str(a.file_id) ?? `name:${a.name}`,
      str(a.file_id),
      sessionId,
      a.name || '(unnamed)',
      str(a.type),
      str(a.size),
      crawledAt,
    ]);
  }
  statements += 5 + list(doc.comments).length + list(doc.history).length + list(doc.attachments).length;
  return statements;
}

export type PerRowTransaction = 'issue' | 'session';

/** Loads the first `limit` sessions under `root` the per-row way. */
export async function runPerRow(
  url: string,
  root: string,
  limit: number,
  transaction: PerRowTransaction,
): Promise<RunResult> {
  const refs = (await discoverSessions(root)).slice(0, limit);
  const pool = createPool({ connectionString: url, max: 1 });
  const result: RunResult = { ...emptyResult(), rows: { statements: 0 } };
  const started = performance.now();
  try {
    for (const ref of refs) {
      const contents = await scanSession(ref.path);
      const folder = /^(.*?)_(.*)_(\d{8})_(\d{6})$/.exec(ref.folderName);
      await inTransaction(pool, async (client) => {
        const userId = (await client.query<{ user_id: number }>(SQL.user, [ref.user ?? 'unknown'])).rows[0].user_id;
        const startedAt = folder
          ? `${folder[3].slice(0, 4)}-${folder[3].slice(4, 6)}-${folder[3].slice(6)} ${folder[4].slice(0, 2)}:${folder[4].slice(2, 4)}:${folder[4].slice(4)}+09`
          : null;
        const sessionId = (
          await client.query<{ session_id: string }>(SQL.session, [
            ref.uuid,
            userId,
            folder?.[1] ?? 'unknown',
            folder?.[2].replace(/_/g, ' ') ?? '',
            startedAt,
            ref.path,
            ref.folderName,
            ref.layout,
          ])
        ).rows[0].session_id;
        for (const file of contents.issueFiles) {
          const t = performance.now();
          const doc = JSON.parse(await readFile(file.absPath, 'utf8')) as Doc;
          result.readMs += performance.now() - t;
          if (transaction === 'issue') await client.query('COMMIT; BEGIN');
          result.rows.statements += await loadIssue(client, sessionId, file.relPath, doc);
          result.files++;
          result.bytes += file.size;
        }
      });
      result.sessions++;
    }
    result.wallMs = performance.now() - started;
  } finally {
    await pool.end();
  }
  return result;
}
