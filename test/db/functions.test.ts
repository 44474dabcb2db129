import { createTestDatabase, TestDatabase } from '../helpers/db';

// The SQL helpers of src/sql/migrations/0002_functions.sql and 0008_cheaper_merge.sql, on a
// real server: ims.crawler_ts's fast path must give exactly what the general function gives
// (0008 promises it accepts nothing the general one rejects), parse_history_details must
// keep its results now that it is an inlinable set-returning function, and newer_crawl /
// newer_download must decide ties the same way whichever row came first.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Every shape the crawler writes, each field at and beyond its limits, and things that are not times. */
function timeStrings(): string[] {
  const out: string[] = [];
  for (const y of ['1899', '1900', '2000', '2023', '2024', '2100', '2999', '3000']) {
    for (let m = 0; m <= 13; m++) {
      for (const d of [0, 1, 9, 10, 28, 29, 30, 31, 32]) {
        const mm = String(m).padStart(2, '0');
        const dd = String(d).padStart(2, '0');
        out.push(`${y}/${mm}/${dd} 12:34:56`, `${y}-${mm}-${dd}T23:59:59.123456`);
      }
    }
  }
  for (const t of [
    '00:00',
    '00:00:00',
    '23:59:59',
    '24:00:00',
    '23:60:00',
    '23:59:60',
    '9:05:00',
    '09:5:00',
    '12:34:56.1',
    '12:34:56.1234567',
    '12:34:56.',
  ]) {
    out.push(`2025/07/11 ${t}`, `2025-07-11T${t}`, `2025-07-11  ${t}`);
  }
  out.push(
    '2025/7/1 9:05',
    '2025-07-11',
    '2025/07/11',
    ' 2025/07/11 15:37:51',
    '2025/07/11 15:37:51 ',
    '2025/07-11 15:37:51',
    '2025-07-11T15:37:51+09:00',
    '2025-07-11T15:37:51Z',
    '2025-07-11 15:37:51.5-0300',
    '20250711_153751',
    '20250231_153751',
    '2025.07.11 15:37:51',
    '11/07/2025 15:37:51',
    '2025-07-11T15:37:51.123456\n',
    '２０２５/07/11 15:37:51',
    'yesterday',
    'now',
    '',
    ' ',
    // Local times that do not exist or exist twice where clocks change (America/New_York, 2025).
    '2025-03-09 02:30:00',
    '2025-11-02 01:30:00',
  );
  return out;
}

it.each(['Asia/Seoul', 'America/New_York', 'UTC'])(
  'crawler_ts gives what crawler_ts_general gives for every shape (zone %s)',
  async (zone) => {
    const raws = timeStrings();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('ims.source_timezone', $1, true)", [zone]);
      const { rows } = await client.query<{ raw: string; fast: string | null; general: string | null }>(
        `SELECT raw, ims.crawler_ts(raw)::text AS fast, ims.crawler_ts_general(raw)::text AS general FROM unnest($1::text[]) AS raw`,
        [raws],
      );
      await client.query('ROLLBACK');
      expect(rows.filter((r) => r.fast !== r.general)).toEqual([]);
      // The comparison is worth something only if both valid and invalid strings were in it.
      expect(rows.filter((r) => r.fast !== null).length).toBeGreaterThan(500);
      expect(rows.filter((r) => r.fast === null).length).toBeGreaterThan(500);
    } finally {
      client.release();
    }
  },
);

it('crawler_ts reads a naive time in the given zone, else ims.source_timezone, else Asia/Seoul', async () => {
  const { rows } = await db.pool.query(`
    SELECT ims.crawler_ts('2025/07/11 15:37:51') = '2025-07-11 06:37:51+00'::timestamptz AS seoul,
           ims.crawler_ts('2025-07-11T15:37:51.25', 'UTC') = '2025-07-11 15:37:51.25+00'::timestamptz AS utc,
           ims.crawler_ts('2025/02/29 10:00:00') IS NULL AS impossible,
           ims.crawler_ts(NULL) IS NULL AS absent`);
  expect(rows[0]).toEqual({ seoul: true, utc: true, impossible: true, absent: true });
});

it('crawler_ts is inlined into the statement that calls it (no function call per row on the fast path)', async () => {
  const { rows } = await db.pool.query(
    `EXPLAIN (VERBOSE, COSTS OFF) SELECT ims.crawler_ts(x) FROM (SELECT '2025/07/11 15:37:' || g AS x FROM generate_series(10, 11) g) v`,
  );
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  expect(plan).toContain('crawler_ts_general');
  expect(plan).not.toMatch(/ims\.crawler_ts\(/);
});

it('parse_history_details splits "Field: old -> new" and names the kind of change', async () => {
  const cases: [string | null, (string | null)[]][] = [
    ['Status: New -> Assigned', ['Status', 'New', 'Assigned', 'status_change']],
    ['Handler: 佐藤花子 → 강민지', ['Handler', '佐藤花子', '강민지', 'assignment']],
    ['담당자: 김철수 => 이영희', ['담당자', '김철수', '이영희', 'assignment']],
    ['우선순위: 보통 -> 긴급', ['우선순위', '보통', '긴급', 'priority_change']],
    ['Version: -> 7.0 Fix 2', ['Version', null, '7.0 Fix 2', 'update']],
    ['Comment added', [null, null, null, 'other']],
    ['URL: http://x/a -> http://x/b', ['URL', 'http://x/a', 'http://x/b', 'update']],
    ['line one\nField: a -> b', [null, null, null, 'other']],
    ['', [null, null, null, 'other']],
    [null, [null, null, null, 'other']],
  ];
  const { rows } = await db.pool.query(
    `SELECT d.ord, p.field_name, p.old_value, p.new_value, p.change_type
     FROM unnest($1::text[]) WITH ORDINALITY AS d(details, ord)
     CROSS JOIN LATERAL ims.parse_history_details(d.details) AS p ORDER BY d.ord`,
    [cases.map((c) => c[0])],
  );
  expect(rows.map((r) => [r.field_name, r.old_value, r.new_value, r.change_type])).toEqual(cases.map((c) => c[1]));
});

it('newer_crawl: a newer crawl wins; at the same instant the larger session_uuid, whichever was loaded first', async () => {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const { rows: ids } = await client.query<{ a: string; b: string }>(`
      WITH u AS (INSERT INTO ims.users (username) VALUES ('tie') RETURNING user_id),
           s AS (INSERT INTO ims.crawl_sessions (session_uuid, user_id, product, original_query, parsed_query)
                 SELECT x, u.user_id, 'p', 'q', 'q' FROM u, unnest(ARRAY['uuid-a', 'uuid-b']) x
                 RETURNING session_uuid, session_id)
      SELECT (SELECT session_id FROM s WHERE session_uuid = 'uuid-a') AS a,
             (SELECT session_id FROM s WHERE session_uuid = 'uuid-b') AS b`);
    const { a, b } = ids[0];
    const cases: [string, string | null, string | null, string | null, boolean][] = [
      ['2026-01-01 10:00', a, null, null, true], // nothing held yet
      ['2026-01-01 10:01', a, '2026-01-01 10:00', b, true],
      ['2026-01-01 10:00', b, '2026-01-01 10:01', a, false],
      ['2026-01-01 10:00', b, '2026-01-01 10:00', a, true],
      ['2026-01-01 10:00', a, '2026-01-01 10:00', b, false],
      ['2026-01-01 10:00', a, '2026-01-01 10:00', a, true], // the same crawl again
    ];
    const { rows } = await client.query(
      `SELECT ims.newer_crawl(c.new_at, c.new_s, c.old_at, c.old_s) AS newer
       FROM unnest($1::timestamptz[], $2::bigint[], $3::timestamptz[], $4::bigint[]) WITH ORDINALITY AS c(new_at, new_s, old_at, old_s, ord)
       ORDER BY c.ord`,
      [0, 1, 2, 3].map((k) => cases.map((c) => c[k])),
    );
    await client.query('ROLLBACK');
    expect(rows.map((r) => r.newer)).toEqual(cases.map((c) => c[4]));
  } finally {
    client.release();
  }
});

it('newer_download: only a crawl that downloaded the file wins; the newer one, at the same instant the larger path', async () => {
  const cases: [string | null, string | null, string | null, string | null, boolean][] = [
    [null, null, '2026-01-01 10:00', '/a', false], // this crawl did not download it
    [null, null, null, null, false],
    ['2026-01-01 10:00', '/a', null, null, true],
    ['2026-01-01 10:01', '/a', '2026-01-01 10:00', '/z', true],
    ['2026-01-01 10:00', '/z', '2026-01-01 10:01', '/a', false],
    ['2026-01-01 10:00', '/b', '2026-01-01 10:00', '/a', true],
    ['2026-01-01 10:00', '/a', '2026-01-01 10:00', '/b', false],
  ];
  const { rows } = await db.pool.query(
    `SELECT ims.newer_download(c.new_at, c.new_p, c.old_at, c.old_p) AS newer
     FROM unnest($1::timestamptz[], $2::text[], $3::timestamptz[], $4::text[]) WITH ORDINALITY AS c(new_at, new_p, old_at, old_p, ord)
     ORDER BY c.ord`,
    [0, 1, 2, 3].map((k) => cases.map((c) => c[k])),
  );
  expect(rows.map((r) => r.newer)).toEqual(cases.map((c) => c[4]));
});
