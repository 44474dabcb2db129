import { Pool } from 'pg';
import { Argv, CommandModule } from 'yargs';
import { GlobalArgs, output, withDatabase } from './run';
import { IngestError } from '../errors';

/**
 * `ims-ingest search "<query>"`: ims.search_issues (0009_search.sql) from the command line, as a
 * table for people or JSON for scripts. Exit 0 whether or not anything matched, 2 for a usage
 * error (no term, a bad date or limit), 1 when the database fails.
 */

export interface SearchArgs {
  query: string;
  product?: string;
  status?: string;
  since?: string;
  until?: string;
  limit: number;
  json?: boolean;
}

export interface SearchRow {
  issue_id: string;
  title: string;
  status: string | null;
  product: string | null;
  registered_date: Date | null;
  matched_in: string[];
  snippet: string | null;
  match_start: number | null;
  match_length: number | null;
  rank: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Runs the search; dates without an offset are read in `timezone` (the crawler's zone). */
async function runSearch(pool: Pool, a: SearchArgs, timezone: string): Promise<{ rows: SearchRow[]; more: boolean }> {
  try {
    const { rows } = await pool.query<SearchRow>(
      `SELECT * FROM ims.search_issues($1, $2, $3,
           CASE WHEN $4 ~ '(Z|[+-]\\d\\d(:?\\d\\d)?)$' THEN $4::timestamptz ELSE $4::timestamp AT TIME ZONE $7 END,
           CASE WHEN $5 ~ '(Z|[+-]\\d\\d(:?\\d\\d)?)$' THEN $5::timestamptz ELSE $5::timestamp AT TIME ZONE $7 END,
           $6)`,
      [a.query, a.product ?? null, a.status ?? null, a.since ?? null, a.until ?? null, a.limit + 1, timezone],
    );
    return { rows: rows.slice(0, a.limit), more: rows.length > a.limit };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '22023') throw new IngestError('CONFIG_INVALID', `search: ${(err as Error).message}`);
    if (code === '22008' || code === '22007')
      throw new IngestError('CONFIG_INVALID', `search: --since/--until: ${(err as Error).message}`);
    if (code === '42883' || code === '3F000') {
      throw new IngestError(
        'MIGRATION_FAILED',
        'search: this database has no ims.search_issues: run `ims-ingest migrate` first (migration 0009_search)',
        { cause: err },
      );
    }
    throw err;
  }
}

/** Columns a character takes in a terminal: 2 for Hangul, CJK, Kana, full-width forms and emoji. */
function charWidth(cp: number): number {
  if (cp < 0x1100) return 1;
  const wide =
    cp <= 0x115f ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** `s` cut to at most `cols` columns (with … when cut), then padded with spaces to `cols`. */
export function fit(s: string, cols: number): string {
  let out = s;
  if (displayWidth(s) > cols) {
    out = '';
    let w = 0;
    for (const ch of s) {
      const cw = charWidth(ch.codePointAt(0)!);
      if (w + cw > cols - 1) break;
      out += ch;
      w += cw;
    }
    out += '…';
  }
  return out + ' '.repeat(Math.max(0, cols - displayWidth(out)));
}

/** The snippet with its match between `open` and `close`; control characters shown as spaces. */
export function markSnippet(r: SearchRow, open: string, close: string): string {
  const chars = [...(r.snippet ?? '')].map((c) => (c < ' ' ? ' ' : c));
  if (!r.match_start || !r.match_length) return chars.join('');
  const s = r.match_start - 1;
  return (
    chars.slice(0, s).join('') +
    open +
    chars.slice(s, s + r.match_length).join('') +
    close +
    chars.slice(s + r.match_length).join('')
  );
}

/** The table printed for people: one line per issue. */
export function formatTable(rows: SearchRow[], more: boolean, query: string, color: boolean): string {
  if (rows.length === 0) return `no issue contains ${JSON.stringify(query)}`;
  const [open, close] = color ? ['\x1b[1;7m', '\x1b[0m'] : ['«', '»'];
  const idWidth = Math.max(5, ...rows.map((r) => displayWidth(r.issue_id)));
  const statusWidth = Math.min(12, Math.max(6, ...rows.map((r) => displayWidth(r.status ?? ''))));
  const lines = [`${fit('issue', idWidth)}  ${fit('status', statusWidth)}  ${fit('title', 44)}  found in: snippet`];
  for (const r of rows) {
    const where = r.matched_in.join(',');
    lines.push(
      `${fit(r.issue_id, idWidth)}  ${fit(r.status ?? '', statusWidth)}  ${fit(r.title.replace(/\s+/g, ' '), 44)}  ${where}: ${markSnippet(r, open, close)}`,
    );
  }
  lines.push(
    more
      ? `${rows.length} issues shown; more match (raise --limit)`
      : `${rows.length} issue${rows.length === 1 ? '' : 's'}`,
  );
  return lines.join('\n');
}

/** The yargs command; run.ts's withDatabase sets up the configuration, connection and exit code. */
export function searchCommand(): CommandModule<object, GlobalArgs> {
  return {
    command: 'search <query>',
    describe:
      'find issues whose title, description, comments or attachment text contain every word (or "quoted phrase") of <query>',
    builder: (y: Argv) =>
      y
        .positional('query', {
          type: 'string',
          demandOption: true,
          description:
            'words (all must occur, anywhere in the issue) and "quoted phrases" (exact text); case-insensitive',
        })
        .option('product', {
          type: 'string',
          description: 'only issues of this IMS product (case-insensitive; "OpenFrame" takes "OpenFrame Batch")',
        })
        .option('status', { type: 'string', description: 'only issues with this status (case-insensitive)' })
        .option('since', {
          type: 'string',
          description:
            'only issues registered at or after DATE (YYYY-MM-DD[ HH:MM[:SS]], in --timezone unless it has an offset)',
        })
        .option('until', { type: 'string', description: 'only issues registered before DATE' })
        .option('limit', { type: 'number', default: 50, description: 'at most this many issues, best first' }),
    handler: async (args) => {
      const a = args as unknown as SearchArgs;
      const problem = usageProblem(a);
      if (problem) {
        // Checked here rather than in yargs' .check(), whose failures main.ts's fail handler rethrows.
        process.stderr.write(`ims-ingest: search: ${problem}\nRun 'ims-ingest search --help' for usage.\n`);
        process.exitCode = 2;
        return;
      }
      await withDatabase(args, async (db, config) => {
        const { rows, more } = await runSearch(db.pool, { ...a, query: String(a.query) }, config.timezone);
        output(a.json, rows, () =>
          formatTable(rows, more, String(a.query), Boolean(process.stdout.isTTY) && !process.env.NO_COLOR),
        );
        return 0;
      });
    },
  };
}

/** What is wrong with the arguments, for exit code 2; undefined when nothing is. */
export function usageProblem(a: SearchArgs): string | undefined {
  if (!String(a.query ?? '').replace(/["\s]/g, '')) return 'the query has no word to search for';
  if (!Number.isInteger(a.limit) || a.limit < 1) return '--limit must be a whole number of at least 1';
  for (const k of ['since', 'until'] as const) {
    if (a[k] !== undefined && !DATE.test(String(a[k])))
      return `--${k} ${a[k]}: expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS][+09:00]`;
  }
  return undefined;
}
