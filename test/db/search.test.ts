import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { ilikeIds, insertCorpus, MULTI, QUERIES, queryOf, searchIds } from '../helpers/search-corpus';

// ims.search_issues (0009_search.sql) against ILIKE, the definition of a match: over the
// fixtures as loaded, then over a generated corpus of 3,000 issues, every query must return
// exactly the issues ILIKE finds, no more, no fewer; terms of two characters or more must be
// found through the bigram indexes.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const summary = await backfill(db.pool, FIXTURES, OPTIONS);
  expect(summary.tableRows.issues).toBe(10);
});
afterAll(async () => {
  await db?.drop();
});

const FIXTURE_QUERIES = [
  '에러',
  '에',
  '오류',
  '장애',
  'TPETIME',
  'tpetime',
  'ORA-600',
  '-4041',
  'エラー',
  '동경해상',
  'ERR-SORT',
  'tbsvr.exe',
  'C:\\tmax',
  "'crash'",
  '%',
  '_',
  'lock 미해제',
];

describe('over the fixtures', () => {
  it.each(FIXTURE_QUERIES)('%s: exactly the issues ILIKE finds', async (q) => {
    const terms = q.split(' ');
    const expected = await ilikeIds(db.pool, terms);
    expect(await searchIds(db.pool, queryOf(terms))).toEqual(expected);
  });

  it('finds every fixture issue holding 에러 (a two-character word glued to particles) and ranks title matches first', async () => {
    const { rows } = await db.pool.query(
      'SELECT issue_id, matched_in, rank, snippet, match_start, match_length FROM ims.search_issues($1)',
      ['에러'],
    );
    expect(rows.map((r) => r.issue_id)).toEqual(['347863', '351234', '330001', '355002', '351300', '344218']);
    expect(rows[0]).toMatchObject({ matched_in: ['title', 'description', 'comment'], rank: 1.75 });
    expect(rows[4]).toMatchObject({ issue_id: '351300', matched_in: ['description'], rank: 0.5 });
    for (const r of rows)
      expect([...r.snippet].slice(r.match_start - 1, r.match_start - 1 + r.match_length).join('')).toBe('에러');
  });

  it('takes the filters: product (whole or first words), status, registration dates, limit', async () => {
    const ids = async (sql: string, ...args: unknown[]) =>
      (await db.pool.query(sql, args)).rows.map((r) => r.issue_id).sort();
    expect(await ids(`SELECT issue_id FROM ims.search_issues('에러', product_filter => 'openframe')`)).toEqual([
      '344218',
      '347863',
    ]);
    expect(
      await ids(
        `SELECT issue_id FROM ims.search_issues('에러', product_filter => 'Tibero', status_filter => 'closed')`,
      ),
    ).toEqual(['351300']);
    expect(await ids(`SELECT issue_id FROM ims.search_issues('에러', product_filter => 'Open')`)).toEqual([]);
    const dated = await db.pool.query(
      `SELECT issue_id, registered_date FROM ims.search_issues('에러', max_results => NULL) ORDER BY registered_date`,
    );
    const middle = dated.rows[3].registered_date as Date;
    expect(await ids(`SELECT issue_id FROM ims.search_issues('에러', since => $1)`, middle)).toEqual(
      dated.rows
        .slice(3)
        .map((r) => r.issue_id)
        .sort(),
    );
    expect(await ids(`SELECT issue_id FROM ims.search_issues('에러', until => $1)`, middle)).toEqual(
      dated.rows
        .slice(0, 3)
        .map((r) => r.issue_id)
        .sort(),
    );
    expect(
      (await db.pool.query(`SELECT * FROM ims.search_issues('에러', max_results => 2)`)).rows.map((r) => r.issue_id),
    ).toEqual(['347863', '351234']);
  });

  it('reads words, "quoted phrases" and an unclosed quote; an empty query is an error (22023)', async () => {
    const terms = async (q: string) => (await db.pool.query('SELECT ims.search_terms($1) AS t', [q])).rows[0].t;
    expect(await terms('TPETIME  에러 tpetime "에러 분석" "unclosed phrase')).toEqual([
      'TPETIME',
      '에러',
      '에러 분석',
      'unclosed phrase',
    ]);
    expect(await terms('a"b c"')).toEqual(['a', 'b c']);
    await expect(db.pool.query(`SELECT * FROM ims.search_issues('  "" ')`)).rejects.toMatchObject({ code: '22023' });
    expect(await searchIds(db.pool, '"에러 분석"')).toEqual(await ilikeIds(db.pool, ['에러 분석']));
    expect(await searchIds(db.pool, '에러 분석')).toEqual(await ilikeIds(db.pool, ['에러', '분석']));
  });
});

describe('over 3,000 generated issues', () => {
  beforeAll(async () => {
    await insertCorpus(db.pool, 3000);
    await db.pool.query('ANALYZE ims.issue_search_text, ims.issue_comments, ims.attachments, ims.issues');
  });

  it('the corpus is what the recall test needs: every query shape occurs, some queries match nothing', async () => {
    const counts = await Promise.all(QUERIES.map((q) => ilikeIds(db.pool, [q]).then((ids) => ids.length)));
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(QUERIES.length - 2);
    expect(counts[QUERIES.indexOf('에러')]).toBeGreaterThan(1000);
    expect(counts[QUERIES.indexOf('없는단어')]).toBe(0);
  });

  it.each(QUERIES)('%s: exactly the issues ILIKE finds', async (q) => {
    expect(await searchIds(db.pool, q)).toEqual(await ilikeIds(db.pool, [q]));
  });

  it.each(MULTI.map((terms) => [queryOf(terms), terms] as const))(
    '%s: issues holding every term',
    async (query, terms) => {
      const expected = await ilikeIds(db.pool, [...terms]);
      expect(await searchIds(db.pool, query)).toEqual(expected);
    },
  );

  it('a term of two characters or more is found through the bigram indexes, without disabling sequential scans', async () => {
    const plan = async (term: string) => {
      const { rows } = await db.pool.query(
        `EXPLAIN SELECT * FROM ims.search_term_hits(ims.search_like_pattern(${literal(term)}), ims.search_query_bigrams(${literal(term)}))`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    for (const term of ['에러', 'エラ', 'TPETIME', '-4041', '50%']) {
      const text = await plan(term);
      // attachment texts are ims.search_attachment_hits' (0014), checked below
      for (const index of [
        'idx_issue_search_title_bigram',
        'idx_issue_search_description_bigram',
        'idx_comments_content_bigram',
      ]) {
        expect(text).toContain(`Bitmap Index Scan on ${index}`);
      }
      expect(text).not.toContain('Seq Scan');
    }
    expect(await plan('에')).toContain('Seq Scan on issue_search_text');
  });

  it('ims.search_issues itself runs those index scans (auto_explain of its statements)', async () => {
    const client = await db.pool.connect();
    const notices: string[] = [];
    client.on('notice', (n) => notices.push(n.message ?? ''));
    try {
      await client.query(`LOAD 'auto_explain'`);
      await client.query(
        `SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET client_min_messages = log`,
      );
      await client.query(`SELECT count(*) FROM ims.search_issues('에러')`);
    } finally {
      await client.query('RESET ALL');
      client.release();
    }
    const inner = notices.find((n) => n.includes('ims.search_term_hits'));
    expect(inner).toContain('Bitmap Index Scan on idx_comments_content_bigram');
    const attachments = notices.find((n) => n.includes('FROM ims.attachments a'));
    expect(attachments).toContain('Bitmap Index Scan on idx_attachments_text_bigram');
    expect(attachments).not.toContain('Seq Scan');
  });

  it('keeps the side table equal to ims.issues through updates and deletes, and finds a text over 250,000 bytes (indexed as one marker key)', async () => {
    await db.pool.query(`UPDATE ims.issues SET title = 'renamed 재명명' WHERE issue_id = '9000001'`);
    await db.pool.query(`UPDATE ims.issues SET description = NULL WHERE issue_id = '9000002'`);
    await db.pool.query(`DELETE FROM ims.issues WHERE issue_id = '9000003'`);
    const diff = await db.pool.query(
      `SELECT count(*)::int AS n FROM ims.issues i FULL JOIN ims.issue_search_text s USING (issue_pk)
       WHERE (i.title, i.description) IS DISTINCT FROM (s.title, s.description)`,
    );
    expect(diff.rows[0].n).toBe(0);
    expect(await searchIds(db.pool, '재명명')).toEqual(['9000001']);
    const long = `${'가나다라 '.repeat(25_000)}희귀한장애`;
    await db.pool.query(`UPDATE ims.issues SET description = $1 WHERE issue_id = '9000004'`, [long]);
    const marker = await db.pool.query(
      `SELECT ims.search_bigrams(s.description) = array_to_tsvector(ARRAY[E'\\x01']) AS m FROM ims.issue_search_text s JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '9000004'`,
    );
    expect(marker.rows[0].m).toBe(true);
    expect(await searchIds(db.pool, '희귀한장애')).toEqual(['9000004']);
    expect(await searchIds(db.pool, '희귀한장애')).toEqual(await ilikeIds(db.pool, ['희귀한장애']));
  });
});

/** A SQL string literal (standard_conforming_strings is on). */
function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
