import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IssueRef, isoMicros, snapshot } from './issue';
import { KEYWORDS, PRODUCTS, prose, Rng, subSeed } from './text';

/**
 * A synthetic crawler data/ directory in the per-user layout (docs/input-format.md §2-§6):
 * users/<u>/sessions/<Product>_<kw>_<YYYYMMDD_HHMMSS>/<issue_id>_<YYYYMMDD_HHMMSS>.json, each
 * file what Python's json.dump(indent=2, ensure_ascii=False) writes (JSON.stringify with
 * indent 2 produces the same bytes for strings, ints, lists and objects; no trailing newline),
 * an attachments/<issue_id>/ folder per crawled issue (a few holding a download and its .txt
 * preview). Sessions follow each other in time; each re-crawls earlier issues (recent ones
 * more often) and finds new ones, so one issue appears in several sessions with its status,
 * comments and history moved on, as real crawls do. The same seed gives the same tree.
 */

export interface CorpusOptions {
  /** Issue files in all. */
  files: number;
  filesPerSession: number;
  /** Distinct issues / issue files (about 0.36: 50,000 files hold about 18,000 issues). */
  distinctRatio: number;
  seed: number;
}

export interface CorpusInfo {
  root: string;
  options: CorpusOptions;
  sessions: number;
  files: number;
  distinctIssues: number;
  downloads: number;
  bytes: number;
}

const USERS = ['alice', 'bob', 'jdoe', 'minsu', 'yeajin', 'daeun', 'tanaka', 'subin'];
const T0 = Date.UTC(2025, 6, 1, 9, 0, 0);
const WINDOW_DAYS = 240;
const DAY = 86_400_000;

/** `YYYYMMDD_HHMMSS` of a naive time. */
function compact(ms: number): string {
  const s = new Date(ms).toISOString();
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}_${s.slice(11, 13)}${s.slice(14, 16)}${s.slice(17, 19)}`;
}

/** The crawler's folder-name rules (docs/input-format.md §3.1). */
function folderName(product: string, words: string[], startMs: number): string {
  const p = product.replace(/[^A-Za-z0-9_-]/g, '_');
  const kw = words
    .join(' ')
    .replace(/[+'"]/g, '')
    .replace(/[^\p{L}\p{N}_]/gu, '_')
    .replace(/_+/g, '_')
    .slice(0, 50);
  return `${p}_${kw}_${compact(startMs)}`;
}

/** Generates the corpus under `root`, or reuses the one already there for the same options. */
export function generateCorpus(root: string, options: CorpusOptions): CorpusInfo {
  const marker = join(root, 'corpus.json');
  if (existsSync(marker)) {
    const info = JSON.parse(readFileSync(marker, 'utf8')) as CorpusInfo;
    if (JSON.stringify(info.options) === JSON.stringify(options)) return info;
  }
  rmSync(root, { recursive: true, force: true });
  const rng = new Rng(options.seed);
  const sessions = Math.ceil(options.files / options.filesPerSession);
  const pNew = options.distinctRatio / 0.99;
  const byProduct = new Map<string, IssueRef[]>(Object.keys(PRODUCTS).map((p) => [p, []]));
  let nextIssue = 300_000;
  const info: CorpusInfo = { root, options, sessions, files: 0, distinctIssues: 0, downloads: 0, bytes: 0 };

  for (let s = 0; s < sessions; s++) {
    const startMs = T0 + Math.floor(((s + rng.next() * 0.5) * WINDOW_DAYS * DAY) / sessions);
    const product = rng.pick(Object.keys(PRODUCTS));
    const dir = join(root, 'users', rng.pick(USERS), 'sessions', folderName(product, rng.pick(KEYWORDS), startMs));
    mkdirSync(dir, { recursive: true });
    const pool = byProduct.get(product)!;
    const inSession = new Map<number, { ref: IssueRef; crawlOrder?: number }>();
    const count = Math.min(options.filesPerSession, options.files - info.files);
    let order = 0;
    let clockMs = startMs + 4000;
    for (let f = 0; f < count; f++) {
      clockMs += rng.int(800, 4000);
      const micros = rng.int(0, 999_999);
      let ref: IssueRef | undefined;
      let crawlOrder: number | undefined;
      if (inSession.size > 0 && rng.chance(0.01)) {
        // The same issue again in this session (a related issue reached twice, or a retry).
        const again = rng.pick([...inSession.values()]);
        ref = again.ref;
        crawlOrder = again.crawlOrder;
      } else {
        const related = order > 0 && rng.chance(0.1);
        if (!rng.chance(pNew) && pool.length > 0) {
          for (let tries = 0; tries < 5 && ref === undefined; tries++) {
            const cand = rng.chance(0.6) ? pool[Math.max(0, pool.length - 1 - rng.int(0, 300))] : rng.pick(pool);
            if (!inSession.has(cand.issueNo) && cand.createdMs < startMs) ref = cand;
          }
        }
        if (ref === undefined) {
          ref = { issueNo: nextIssue++, product, createdMs: startMs - rng.int(DAY / 24, 25 * DAY) };
          pool.push(ref);
          info.distinctIssues++;
        }
        crawlOrder = related ? undefined : ++order;
      }
      const crawledAt = isoMicros(clockMs, micros);
      const doc = snapshot(options.seed, ref, clockMs, crawledAt, crawlOrder);
      const text = JSON.stringify(doc, null, 2);
      writeFileSync(join(dir, `${ref.issueNo}_${compact(clockMs)}.json`), text);
      info.bytes += Buffer.byteLength(text);
      info.files++;
      if (!inSession.has(ref.issueNo)) {
        inSession.set(ref.issueNo, { ref, crawlOrder });
        writeAttachments(dir, options.seed, ref, clockMs, doc.attachments as { name: string }[], rng, info);
      }
    }
  }
  writeFileSync(marker, JSON.stringify(info, null, 2));
  return info;
}

/**
 * attachments/<issue_id>/, empty as a rule; one in 200 holds a download of the first attachment
 * the issue file lists, and its .txt preview.
 */
function writeAttachments(
  dir: string,
  seed: number,
  ref: IssueRef,
  ms: number,
  listed: { name: string }[],
  rng: Rng,
  info: CorpusInfo,
): void {
  const folder = join(dir, 'attachments', String(ref.issueNo));
  mkdirSync(folder, { recursive: true });
  if (listed.length === 0 || !rng.chance(0.005)) return;
  const text = prose(new Rng(subSeed(seed, ref.issueNo, ms)), 3000, ['tjesmgr', 'SYSOUT']);
  writeFileSync(join(folder, listed[0].name), text);
  writeFileSync(join(folder, `${listed[0].name}.txt`), text);
  info.downloads++;
}

/**
 * One session holding one issue file of about `megabytes` MB (a long pasted log and tens of
 * thousands of comments), for the memory check: a big file must cost the loader about its own
 * size, not several times it.
 */
/** `repair`: the file holds a NUL in its description, so the loader must repair it (on its token stream, repair-stream.ts). */
export function generateBigSession(
  root: string,
  megabytes: number,
  seed: number,
  repair = false,
): { root: string; bytes: number } {
  const startMs = Date.UTC(2026, 2, 1, 9, 0, 0);
  const dir = join(root, 'users', 'bigfile', 'sessions', folderName('OpenFrame', ['대용량', '로그'], startMs));
  const name = `399999_${compact(startMs + 7000)}.json`;
  const marker = join(root, 'big.json');
  if (existsSync(marker)) {
    const prev = JSON.parse(readFileSync(marker, 'utf8')) as { megabytes: number; bytes: number; repair?: boolean };
    if (prev.megabytes === megabytes && !!prev.repair === repair && existsSync(join(dir, name)))
      return { root, bytes: prev.bytes };
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(join(dir, 'attachments', '399999'), { recursive: true });
  const rng = new Rng(seed);
  const terms = PRODUCTS.OpenFrame.terms;
  const ref: IssueRef = { issueNo: 399999, product: 'OpenFrame', createdMs: startMs - 30 * DAY };
  const doc = snapshot(seed, ref, startMs + 7000, isoMicros(startMs + 7000, 123456), 1);
  doc.description = prose(rng, 300_000, terms) + (repair ? '\u0000' : '');
  const comments: Record<string, string>[] = [];
  let bytes = Buffer.byteLength(JSON.stringify(doc, null, 2));
  for (let k = 0; bytes < megabytes * 1024 * 1024; k++) {
    const c = {
      action_no: String(3_000_000 + k),
      author: '박민수',
      date: '2026/02/27 10:00:00',
      content: prose(rng, 600, terms),
    };
    comments.push(c);
    bytes += Buffer.byteLength(JSON.stringify(c, null, 2)) + 8 * 6;
  }
  doc.comments = comments;
  const text = JSON.stringify(doc, null, 2);
  writeFileSync(join(dir, name), text);
  writeFileSync(marker, JSON.stringify({ megabytes, bytes: Buffer.byteLength(text), repair }));
  return { root, bytes: Buffer.byteLength(text) };
}
