import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freshDatabase, StatementTime, statementTimes, withClient } from './database';
import { REPO_ROOT } from './loader';
import { RunResult } from './result';

/**
 * The search section of `npm run bench` (docs/performance.md, docs/schema.md §3): the floor
 * of one corpus loaded three times — with 0009's bigram search, with 0003's trigram and
 * 'simple' indexes instead, with neither — so each design's maintenance cost during a load is
 * its floor minus the floor with neither; the build time of each design's indexes on the
 * loaded database; and, on the bigram database, p50/p95 latency of ims.search_issues for a
 * fixed list of queries, whether each term's plan uses the bigram indexes, and whether each
 * query returns exactly the issues an ILIKE over the same columns returns.
 */

export interface SearchVariant {
  variant: string;
  floor: RunResult;
  statements: StatementTime[];
}

export interface SearchQueryRun {
  query: string;
  results: number;
  exact: boolean;
  indexed: string;
  p50Ms: number;
  p95Ms: number;
  ilikeMs: number;
}

export interface SearchBench {
  files: number;
  variants: SearchVariant[];
  build: { design: string; ms: number }[];
  queries: SearchQueryRun[];
}

/** Words of the bench corpus (bench/text.ts) in each script, 1 to 3+ characters, a phrase, two words. */
export const SEARCH_QUERIES = [
  '에러',
  '오류',
  '장애',
  '에',
  'エラー',
  'タイムアウト',
  'TPETIME',
  'ORA-600',
  'tbsvr',
  'timeout',
  '동경해상',
  '"에러가 발생합니다"',
  'TPETIME 에러',
  '재기동',
];

const bench = (name: string) => readFileSync(join(REPO_ROOT, 'bench', 'sql', name), 'utf8');
const indexStatements = () =>
  bench('search-0003-indexes.sql')
    .split('\n')
    .filter((l) => l.startsWith('CREATE INDEX'));

export async function benchSearch(o: {
  server: string;
  db: string;
  floorDir: string;
  files: number;
  runs: number;
  /** Loads per design; the fastest is kept (this machine's other work moves single runs). */
  repeat: number;
  runFloor: (url: string) => Promise<RunResult>;
  log: (line: string) => void;
}): Promise<SearchBench> {
  const variants: SearchVariant[] = [];
  const load = async (variant: string, prepare: (c: Client) => Promise<void>) => {
    let best: SearchVariant | undefined;
    let url = '';
    for (let i = 0; i < o.repeat; i++) {
      url = await freshDatabase(o.server, o.db);
      await withClient(url, prepare);
      const floor = await o.runFloor(url);
      if (!best || floor.wallMs < best.floor.wallMs) best = { variant, floor, statements: await statementTimes(url) };
    }
    variants.push(best!);
    o.log(`search: ${variant}: floor ${(best!.floor.wallMs / 1000).toFixed(1)} s`);
    return url;
  };
  await load('neither (no substring search index)', (c) =>
    c.query(bench('search-undo-0009.sql')).then(() => undefined),
  );
  await load('trigram + simple (0003, before 0009)', async (c) => {
    await c.query(bench('search-undo-0009.sql'));
    await c.query(bench('search-0003-indexes.sql'));
  });
  const url = await load('bigram (0009)', async () => undefined);

  return withClient(url, async (c) => {
    // Steady state: pending GIN entries merged, statistics taken (autovacuum would do both).
    await c.query('VACUUM ANALYZE');
    const timed = async (sql: string) => {
      const t = performance.now();
      await c.query(sql);
      return performance.now() - t;
    };
    let bigram = 0;
    for (const index of [
      'idx_issue_search_title_bigram',
      'idx_issue_search_description_bigram',
      'idx_comments_content_bigram',
      'idx_attachments_text_bigram',
    ]) {
      bigram += await timed(`REINDEX INDEX ims.${index}`);
    }
    let trigram = 0;
    for (const statement of indexStatements()) trigram += await timed(statement);
    for (const statement of indexStatements()) await c.query(`DROP INDEX ims.${/INDEX (\w+)/.exec(statement)![1]}`);
    const build = [
      { design: 'bigram (0009), 4 indexes', ms: bigram },
      { design: 'trigram + simple (0003), 6 indexes', ms: trigram },
    ];
    o.log(`search: index build: bigram ${bigram.toFixed(0)} ms, trigram + simple ${trigram.toFixed(0)} ms`);

    const queries: SearchQueryRun[] = [];
    for (const query of SEARCH_QUERIES) queries.push(await measureQuery(c, query, o.runs));
    return { files: o.files, variants, build, queries };
  });
}

async function measureQuery(c: Client, query: string, runs: number): Promise<SearchQueryRun> {
  const { rows: terms } = await c.query<{ t: string }>('SELECT unnest(ims.search_terms($1)) AS t', [query]);
  const found = await c.query<{ ids: string[] }>(
    "SELECT coalesce(array_agg(issue_id ORDER BY issue_id), '{}') AS ids FROM ims.search_issues($1, max_results => NULL)",
    [query],
  );
  const t0 = performance.now();
  const reference = await c.query<{ ids: string[] }>(
    `SELECT coalesce(array_agg(i.issue_id ORDER BY i.issue_id), '{}') AS ids FROM ims.issues i
     WHERE (SELECT bool_and(coalesce(i.title ILIKE p, false) OR coalesce(i.description ILIKE p, false)
                OR EXISTS (SELECT 1 FROM ims.issue_comments x WHERE x.issue_pk = i.issue_pk AND x.content ILIKE p)
                OR EXISTS (SELECT 1 FROM ims.attachments a WHERE a.issue_pk = i.issue_pk AND a.extracted_text ILIKE p))
            FROM (SELECT ims.search_like_pattern(t) AS p FROM unnest($1::text[]) AS t) ps)`,
    [terms.map((r) => r.t)],
  );
  const ilikeMs = performance.now() - t0;
  const plans: boolean[] = [];
  for (const { t } of terms) {
    if ([...t].length < 2) continue;
    const { rows } = await c.query(
      `EXPLAIN SELECT * FROM ims.search_term_hits(ims.search_like_pattern(${literal(t)}), ims.search_query_bigrams(${literal(t)}))`,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    plans.push((plan.match(/Bitmap Index Scan on idx_\w+_bigram/g) ?? []).length >= 4 && !plan.includes('Seq Scan'));
  }
  const indexed = plans.length === 0 ? 'no (1 character: sequential scan)' : plans.every(Boolean) ? 'yes' : 'NO';
  const times: number[] = [];
  await c.query('SELECT * FROM ims.search_issues($1)', [query]);
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await c.query('SELECT * FROM ims.search_issues($1)', [query]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const rank = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  const exact = JSON.stringify(found.rows[0].ids) === JSON.stringify(reference.rows[0].ids);
  return { query, results: found.rows[0].ids.length, exact, indexed, p50Ms: rank(0.5), p95Ms: rank(0.95), ilikeMs };
}

function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
const table = (head: string[], rows: (string | number)[][]) =>
  [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
const sec = (ms: number) => (ms / 1000).toFixed(2);

/** The section's Markdown: load cost, build cost, queries. */
export function searchTables(b: SearchBench): string {
  const base = b.variants.find((v) => v.variant.startsWith('neither'))!.floor.wallMs;
  const stmt = (v: SearchVariant, name: string) => sec(v.statements.find((s) => s.name === name)?.ms ?? 0);
  return [
    `### Search: index maintenance during the load (floor of the ${b.files}-file corpus, one session at a time)`,
    table(
      ['search indexes', 'floor s', 'search cost s (vs neither)', 'merge/030 s', 'merge/060 s', 'merge/080 s'],
      b.variants.map((v) => [
        v.variant,
        sec(v.floor.wallMs),
        sec(v.floor.wallMs - base),
        stmt(v, 'merge/030_issues'),
        stmt(v, 'merge/060_issue_comments'),
        stmt(v, 'merge/080_attachments'),
      ]),
    ),
    '',
    '### Search: building the indexes on the loaded database',
    table(
      ['design', 'build s'],
      b.build.map((x) => [x.design, sec(x.ms)]),
    ),
    '',
    '### Search: ims.search_issues on the loaded database (default limit 50; exact = same issues as ILIKE over title, description, comments, attachment text)',
    table(
      ['query', 'issues', 'exact', 'bigram indexes used', 'p50 ms', 'p95 ms', 'ILIKE scan ms'],
      b.queries.map((q) => [
        q.query.replace(/\|/g, '\\|'),
        q.results,
        q.exact ? 'yes' : 'NO',
        q.indexed,
        q.p50Ms.toFixed(1),
        q.p95Ms.toFixed(1),
        q.ilikeMs.toFixed(0),
      ]),
    ),
  ].join('\n');
}
