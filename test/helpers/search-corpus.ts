import { Pool } from 'pg';

/**
 * A generated corpus for the search tests: issues, comments and attachment texts made of
 * Korean with particles glued on, Japanese without spaces, English in mixed case, error codes,
 * and the characters that break naive escaping (LIKE wildcards, backslashes, quotes, tabs,
 * COPY's \N). Inserted straight into ims.issues / issue_comments / attachments (the triggers
 * of 0009 fill ims.issue_search_text as a load would).
 */

const FRAGMENTS = [
  '야간 배치 수행 중 에러가 발생합니다.',
  '에러를 확인했습니다',
  '오류',
  '장애 분석',
  '에러',
  '에',
  '러시아',
  '가에러',
  '夜間バッチでエラーが発生しました。',
  'タイムアウト',
  'エラー',
  'ラーメン',
  '原因の調査をお願いします',
  'TPETIME',
  'tpetime',
  'TpeTime error',
  'Error',
  'ERROR 503',
  'ORA-600',
  'ora-600 internal',
  '-4041',
  'ERR-4041',
  'TBR-2131',
  '50% 완료',
  'a_b',
  '100_000',
  'C:\\tmax\\bin\\tbsvr.exe',
  "it's broken",
  'tab\there',
  'x%y',
  '\\N',
  '"quoted"',
  '{a,b}',
  'Äpfel',
  'ÄPFEL',
  'ＥＲＲＯＲ',
  'ｅｒｒｏｒ',
  'ΣΊΣΥΦΟΣ',
  'σίσυφος',
  'line\nbreak',
  'a\u0001b',
  'emoji 🎉 파티',
] as const;

/**
 * Terms searched: one, two and three characters and more, in every script and shape above
 * (no double quote: in a query it delimits a phrase).
 */
export const QUERIES = [
  '에',
  'エ',
  'a',
  'E',
  '%',
  '_',
  '\\',
  "'",
  ',',
  '🎉',
  '1',
  '에러',
  '오류',
  '장애',
  'エラ',
  'ラー',
  'er',
  'ER',
  '60',
  '-4',
  '%y',
  'a_',
  '\\t',
  'ｅｒ',
  'σί',
  '\u0001b',
  '에러가',
  '에러를',
  'エラーが',
  'TPETIME',
  'tpetime',
  'ORA-600',
  '-4041',
  'c:\\tmax',
  "it's",
  '50%',
  '100_000',
  'äpfel',
  'ＥＲＲＯＲ',
  'ΣΊΣΥΦΟΣ',
  'quoted',
  '{a,b}',
  '\\N',
  '러시아',
  '없는단어',
  'zzzz',
];

/** Terms that must all match (AND), and quoted phrases (with a space or a tab inside). */
export const MULTI = [
  ['TPETIME', '에러'],
  ['エラー', 'ORA-600'],
  ['에', 'a'],
  ['에러가 발생'],
  ['tab\there'],
  ['장애', '%', 'error'],
  ['line\nbreak'],
];

/** mulberry32: the same corpus on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text of `n` fragments, sometimes glued together without a space. */
function text(next: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const f = FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
    out += i === 0 ? f : next() < 0.3 ? f : ` ${f}`;
  }
  return out;
}

/** Inserts `issues` issues (ids 9000000 + n), 0-5 comments and 1-3 attachments each, 1 in 10 attachments with text. */
export async function insertCorpus(pool: Pool, issues: number, seed = 7): Promise<void> {
  const next = rng(seed);
  const ids: string[] = [],
    titles: string[] = [],
    descriptions: (string | null)[] = [],
    products: string[] = [],
    statuses: string[] = [],
    dates: string[] = [];
  const cIssue: string[] = [],
    cKey: string[] = [],
    cContent: (string | null)[] = [];
  const aIssue: string[] = [],
    aKey: string[] = [],
    aText: (string | null)[] = [];
  for (let n = 0; n < issues; n++) {
    const id = String(9_000_000 + n);
    ids.push(id);
    titles.push(text(next, 1 + Math.floor(next() * 3)));
    descriptions.push(next() < 0.1 ? null : text(next, 2 + Math.floor(next() * 12)));
    products.push(['OpenFrame Batch', 'Tibero', 'ProSort', 'JEUS'][n % 4]);
    statuses.push(['New', 'Assigned', 'Closed'][n % 3]);
    dates.push(new Date(Date.UTC(2025, 0, 1) + n * 3_600_000).toISOString());
    const comments = Math.floor(next() * 6);
    for (let c = 0; c < comments; c++) {
      cIssue.push(id);
      cKey.push(String(c));
      cContent.push(next() < 0.05 ? null : text(next, 1 + Math.floor(next() * 8)));
    }
    // Most attachments are listed, not downloaded: no text.
    for (let a = 0; a < 1 + Math.floor(next() * 3); a++) {
      aIssue.push(id);
      aKey.push(`f${a}`);
      aText.push(next() < 0.1 ? text(next, 5 + Math.floor(next() * 30)) : null);
    }
  }
  await pool.query(
    `INSERT INTO ims.issues (issue_id, title, description, product, status, registered_date)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])`,
    [ids, titles, descriptions, products, statuses, dates],
  );
  await pool.query(
    `INSERT INTO ims.issue_comments (issue_pk, comment_key, content)
     SELECT i.issue_pk, c.k, c.content FROM unnest($1::text[], $2::text[], $3::text[]) AS c (id, k, content) JOIN ims.issues i ON i.issue_id = c.id`,
    [cIssue, cKey, cContent],
  );
  await pool.query(
    `INSERT INTO ims.attachments (issue_pk, attachment_key, filename, extracted_text)
     SELECT i.issue_pk, a.k, 'log.txt', a.t FROM unnest($1::text[], $2::text[], $3::text[]) AS a (id, k, t) JOIN ims.issues i ON i.issue_id = a.id`,
    [aIssue, aKey, aText],
  );
}

/** `term` as an ILIKE pattern finding it anywhere (written here, not by the code under test). */
export function likeAnywhere(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The reference: issue_ids whose title, description, a comment or an attachment text contains
 * every term as ILIKE finds it, read from ims.issues itself (not the search's side table).
 */
export async function ilikeIds(pool: Pool, terms: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ issue_id: string }>(
    `SELECT i.issue_id FROM ims.issues i
     WHERE (SELECT bool_and(coalesce(i.title ILIKE p, false) OR coalesce(i.description ILIKE p, false)
                OR EXISTS (SELECT 1 FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk AND c.content ILIKE p)
                OR EXISTS (SELECT 1 FROM ims.attachments a WHERE a.issue_pk = i.issue_pk AND a.extracted_text ILIKE p))
            FROM unnest($1::text[]) AS p)
     ORDER BY 1`,
    [terms.map(likeAnywhere)],
  );
  return rows.map((r) => r.issue_id);
}

/** ims.search_issues' issue_ids for `query`, without a limit. */
export async function searchIds(pool: Pool, query: string): Promise<string[]> {
  const { rows } = await pool.query<{ issue_id: string }>(
    'SELECT issue_id FROM ims.search_issues($1, max_results => NULL) ORDER BY 1',
    [query],
  );
  return rows.map((r) => r.issue_id);
}

/** A query string searching exactly `terms`: each quoted when it holds a space, tab or newline. */
export function queryOf(terms: string[]): string {
  return terms.map((t) => (/\s/.test(t) ? `"${t}"` : t)).join(' ');
}
