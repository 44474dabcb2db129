import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Job, Work } from './child';
import { CorpusInfo, generateBigSession, generateCorpus } from './corpus';
import { freshDatabase, openServer, statementTimes, withClient } from './database';
import { urlForDatabase } from '../src/db/pg-url';
import { writeCharts } from './charts';
import { dumpFinalRows } from './data-floor';
import { prepareFloor } from './floor';
import { REPO_ROOT } from './loader';
import {
  bigTable,
  BigRun,
  indexTable,
  IndexRun,
  mainTable,
  Measured,
  perRowTable,
  PerRowRun,
  rowsTable,
  SizeRun,
  statementTable,
  targetsTable,
} from './report';
import { RunResult } from './result';
import { benchSearch, SearchBench, searchTables } from './search';

/**
 * `npm run bench`: generates synthetic crawler output, loads it with ims-ingest (a child
 * process per run, for its own peak RSS) into a fresh database per run, and compares it on the
 * same data and schema with the database floor (bench/floor.ts) and the per-row way
 * (bench/per-row.ts). Prints Markdown tables; writes them and the raw figures to --out.
 */

const argv = yargs(hideBin(process.argv))
  .scriptName('npm run bench --')
  .option('sizes', {
    type: 'string',
    description: 'issue-file counts of the corpora, comma-separated [default: 5000,25000,50000; --quick: 1000,3000]',
  })
  .option('concurrency', {
    type: 'string',
    description: 'concurrent sessions to measure, comma-separated [default: 1,2,4; --quick: 1,2]',
  })
  .option('per-row-files', {
    type: 'number',
    description:
      'issue files of the per-row comparison (first sessions of the smallest corpus); 0 skips it [default: 5000; --quick: 1000]',
  })
  .option('big-mb', {
    type: 'number',
    description: 'size of the one-big-issue-file session, MB; 0 skips it [default: 50; --quick: 10]',
  })
  .option('index-profile', {
    type: 'number',
    description: 'also run the floor of the corpus of this size without groups of indexes (where the floor goes)',
  })
  .option('search', {
    type: 'boolean',
    default: true,
    description:
      "measure search on the largest corpus: load cost of its indexes against 0003's trigram ones, build time, query latency (--no-search skips it)",
  })
  .option('repeat', {
    type: 'number',
    default: 1,
    description:
      'measure each ims-ingest, floor and per-row run this many times and keep the one of median time (of 2: the faster)',
  })
  .option('files-per-session', { type: 'number', default: 100, description: 'issue files per session' })
  .option('bulk', {
    type: 'string',
    choices: ['auto', 'on', 'off'],
    default: 'auto',
    description: 'the bulk path of backfill (search indexes built after the load): as backfill decides, always, never',
  })
  .option('seed', { type: 'number', default: 1, description: 'seed of the synthetic corpus' })
  .option('quick', {
    type: 'boolean',
    default: false,
    description: 'small sizes, for a fast check that everything runs',
  })
  .option('out', {
    type: 'string',
    default: join(REPO_ROOT, 'bench', 'out'),
    description: 'where corpora, prepared COPY files and results go',
  })
  .option('database-url', {
    type: 'string',
    description: 'server to create the benchmark databases on (else DATABASE_URL, else PG*)',
  })
  .epilogue(
    'Measures on the PostgreSQL server of --database-url, DATABASE_URL or PGHOST (it creates and drops the database ims_bench there), else on an embedded one under <out>/pg.',
  )
  .strict()
  .parseSync();

const list = (text: string | undefined, fallback: number[]) =>
  text ? text.split(',').map((x) => Number(x.trim())) : fallback;
const sizes = list(argv.sizes, argv.quick ? [1000, 3000] : [5000, 25000, 50000]);
const concurrencies = list(argv.concurrency, argv.quick ? [1, 2] : [1, 2, 4]);
const perRowFiles = argv['per-row-files'] ?? (argv.quick ? 1000 : 5000);
const bigMb = argv['big-mb'] ?? (argv.quick ? 10 : 50);
const out = resolve(argv.out);
let server = '';
const DB = 'ims_bench';
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** A run on a fresh database, with the statement times it left in pg_stat_statements. */
async function measure(work: Work): Promise<Measured> {
  const url = await freshDatabase(server, DB);
  const result = await runChild({ ...work, url });
  return { ...result, statements: await statementTimes(url) };
}

/** The run of median wall time among --repeat runs. */
async function median<T extends RunResult>(run: () => Promise<T>): Promise<T> {
  const results: T[] = [];
  for (let i = 0; i < argv.repeat; i++) results.push(await run());
  results.sort((a, b) => a.wallMs - b.wallMs);
  return results[Math.floor((results.length - 1) / 2)];
}

// The Node flags of bin/ims-ingest's `#!/usr/bin/env -S node ...` line: the child runs the
// loader as the installed command does (its heap limit decides its peak RSS).
const NODE_FLAGS = (/^#!.*\bnode\b(.*)$/m.exec(readFileSync(join(REPO_ROOT, 'bin', 'ims-ingest'), 'utf8'))?.[1] ?? '')
  .trim()
  .split(/\s+/)
  .filter((f) => f.startsWith('--'));

function runChild(job: Job): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, join(__dirname, 'child.js'), JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child (${job.mode}) exited with ${code}`));
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as RunResult;
      if (result.failures.length)
        log(`${job.mode}: ${result.failures.length} sessions failed, first: ${result.failures[0]}`);
      resolvePromise(result);
    });
  });
}

/** Server and machine facts printed above the tables. */
async function environment(): Promise<string> {
  return withClient(server, async (c) => {
    const names = [
      'server_version',
      'shared_buffers',
      'work_mem',
      'maintenance_work_mem',
      'max_wal_size',
      'checkpoint_timeout',
      'fsync',
      'synchronous_commit',
      'full_page_writes',
      'wal_compression',
      'gin_pending_list_limit',
      'jit',
      'max_parallel_workers_per_gather',
      'autovacuum',
    ];
    const { rows } = await c.query<{ name: string; setting: string }>(
      'SELECT name, current_setting(name) AS setting FROM unnest($1::text[]) AS name',
      [names],
    );
    return (
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.\n` +
      `PostgreSQL settings: ${rows.map((r) => `${r.name}=${r.setting}`).join(', ')}.`
    );
  });
}

const INDEX_VARIANTS: [string, string[]][] = [
  ['all (as migrated)', []],
  ['without idx_issues_full_data (jsonb GIN)', ['idx_issues_full_data']],
  [
    'without the 4 bigram GIN (0009 search)',
    [
      'idx_issue_search_title_bigram',
      'idx_issue_search_description_bigram',
      'idx_comments_content_bigram',
      'idx_attachments_text_bigram',
    ],
  ],
  [
    'without the 4 full-text GIN',
    ['idx_issues_title_fts', 'idx_issues_description_fts', 'idx_attachments_text_fts', 'idx_queries_original_fts'],
  ],
];

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const opened = await openServer(argv['database-url'], join(out, 'pg'), log);
  server = opened.url;
  try {
    await measureAll();
  } finally {
    await opened.release();
  }
}

async function measureAll(): Promise<void> {
  const env = await environment();
  log(env);
  const runs: SizeRun[] = [];
  const corpora: CorpusInfo[] = [];
  for (const size of sizes) {
    const corpus = generateCorpus(join(out, `corpus-${size}`), {
      files: size,
      filesPerSession: argv['files-per-session'],
      distinctRatio: 0.36,
      seed: argv.seed,
    });
    corpora.push(corpus);
    log(
      `corpus of ${corpus.files} issue files, ${corpus.sessions} sessions, ${corpus.distinctIssues} issues, ${(corpus.bytes / 2 ** 20).toFixed(0)} MB`,
    );
    const floorDir = join(out, `floor-${size}`);
    await prepareFloor(corpus.root, floorDir);
    const dataDir = join(out, `data-floor-${size}`);
    let dumped = false;
    for (const concurrency of concurrencies) {
      const ingest = await median(() =>
        measure({ mode: 'ingest', root: corpus.root, concurrency, bulk: argv.bulk as 'auto' | 'on' | 'off' }),
      );
      if (!dumped) {
        // The database now holds the dump's final rows (the same in any order and concurrency).
        await dumpFinalRows(urlForDatabase(server, DB), dataDir);
        dumped = true;
      }
      // Measured again right after each ims-ingest run, so that each ratio compares runs made
      // under the same load of a shared machine.
      const dataFloor = await median(() => measure({ mode: 'data-floor', dir: dataDir }));
      const floor = await median(() => measure({ mode: 'floor', dir: floorDir, concurrency }));
      runs.push({
        files: corpus.files,
        sessions: corpus.sessions,
        distinctIssues: corpus.distinctIssues,
        concurrency,
        ingest,
        floor,
        dataFloor,
      });
      log(
        `${size} files, ${concurrency} at once: ims-ingest ${(ingest.wallMs / 1000).toFixed(1)} s, floor ${(floor.wallMs / 1000).toFixed(1)} s, data floor ${(dataFloor.wallMs / 1000).toFixed(1)} s, peak RSS ${ingest.peakRssMb!.toFixed(0)} MB`,
      );
    }
  }

  let perRowRun: PerRowRun | undefined;
  if (perRowFiles > 0) {
    const smallest = corpora[0];
    const subset = Math.max(1, Math.ceil(Math.min(perRowFiles, smallest.files) / argv['files-per-session']));
    // Committing as it goes (a transaction per issue file), and in one transaction per session.
    const perRow = await median(() =>
      measure({ mode: 'per-row', root: smallest.root, limit: subset, transaction: 'issue' }),
    );
    const perRowSession = await median(() =>
      measure({ mode: 'per-row', root: smallest.root, limit: subset, transaction: 'session' }),
    );
    // The floor of the same sessions bounds the ratio any loader with these merges can reach.
    const floorDir = join(out, `floor-${sizes[0]}-first${subset}`);
    await prepareFloor(smallest.root, floorDir, subset);
    // One session at a time, as the per-row loader runs; and ims-ingest's default of two.
    perRowRun = { sessions: subset, perRow, perRowSession, ingest: [] };
    for (const concurrency of [1, 2]) {
      const result = await median(() =>
        measure({
          mode: 'ingest',
          root: smallest.root,
          concurrency,
          limit: subset,
          bulk: argv.bulk as 'auto' | 'on' | 'off',
        }),
      );
      const floor = await median(() => measure({ mode: 'floor', dir: floorDir, concurrency }));
      perRowRun.ingest.push({ concurrency, result, floor });
      log(
        `per-row: ${(perRow.wallMs / 1000).toFixed(1)} s for ${perRow.files} files (${(perRowSession.wallMs / 1000).toFixed(1)} s in one transaction per session); ${concurrency} at once: ims-ingest ${(result.wallMs / 1000).toFixed(1)} s, floor ${(floor.wallMs / 1000).toFixed(1)} s`,
      );
    }
  }

  let big: BigRun | undefined;
  if (bigMb > 0) {
    const corpus = generateBigSession(join(out, 'big'), bigMb, argv.seed);
    const ingest = await measure({
      mode: 'ingest',
      root: corpus.root,
      concurrency: 1,
      bulk: argv.bulk as 'auto' | 'on' | 'off',
    });
    big = { fileMb: corpus.bytes / 2 ** 20, ingest };
    log(`big file: ${(ingest.wallMs / 1000).toFixed(1)} s, peak RSS ${ingest.peakRssMb!.toFixed(0)} MB`);
    // The same size with a NUL in it: repaired on its token stream instead of sent as its own bytes.
    const repaired = generateBigSession(join(out, 'big-repair'), bigMb, argv.seed, true);
    const repairIngest = await measure({
      mode: 'ingest',
      root: repaired.root,
      concurrency: 1,
      bulk: argv.bulk as 'auto' | 'on' | 'off',
    });
    big.repaired = { fileMb: repaired.bytes / 2 ** 20, ingest: repairIngest };
    log(
      `big file needing a repair: ${(repairIngest.wallMs / 1000).toFixed(1)} s, peak RSS ${repairIngest.peakRssMb!.toFixed(0)} MB`,
    );
  }

  const indexRuns: IndexRun[] = [];
  if (argv['index-profile']) {
    const floorDir = join(out, `floor-${argv['index-profile']}`);
    for (const [variant, drop] of INDEX_VARIANTS) {
      const url = await freshDatabase(server, DB);
      await withClient(url, async (c) => {
        for (const index of drop) await c.query(`DROP INDEX ims.${index}`);
      });
      indexRuns.push({ variant, floor: await runChild({ mode: 'floor', url, dir: floorDir, concurrency: 1 }) });
      log(`index profile: ${variant}: ${(indexRuns[indexRuns.length - 1].floor.wallMs / 1000).toFixed(1)} s`);
    }
  }

  let search: SearchBench | undefined;
  if (argv.search) {
    const files = Math.max(...sizes);
    search = await benchSearch({
      server,
      db: DB,
      floorDir: join(out, `floor-${files}`),
      files,
      runs: argv.quick ? 5 : 20,
      repeat: argv.repeat,
      log,
      runFloor: (url) => runChild({ mode: 'floor', url, dir: join(out, `floor-${files}`), concurrency: 1 }),
    });
  }

  const largest = runs.filter((r) => r.concurrency === concurrencies[0]).pop()!;
  const text = [
    env,
    '',
    '### ims-ingest against the database floor',
    mainTable(runs),
    '',
    '### Rows written per second, per table (ims-ingest)',
    rowsTable(runs),
    '',
    `### Where the time goes: statements of the ${largest.files}-file corpus, ${largest.concurrency} at once (pg_stat_statements)`,
    statementTable(largest),
    '',
    ...(perRowRun
      ? [
          "### The per-row way (the crawler's loader) against ims-ingest and the database floor on the same sessions, each on a fresh database",
          perRowTable(perRowRun),
        ]
      : []),
    ...(big ? ['', '### One big issue file', bigTable(big)] : []),
    ...(indexRuns.length
      ? [
          '',
          `### Floor of the ${argv['index-profile']}-file corpus without groups of indexes (one session at a time)`,
          indexTable(indexRuns),
        ]
      : []),
    ...(search ? ['', searchTables(search)] : []),
    '',
    '### Targets (docs/performance.md)',
    targetsTable(runs, perRowRun, big),
    '',
  ].join('\n');
  writeFileSync(join(out, 'results.md'), text);
  writeFileSync(
    join(out, 'results.json'),
    JSON.stringify({ env, runs, perRow: perRowRun, big, indexRuns, search }, null, 2),
  );
  log(`charts: ${writeCharts({ runs, perRow: perRowRun, big }, join(out, 'charts')).join(', ')}`);
  process.stdout.write(text);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
