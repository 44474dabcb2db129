import { createHash } from 'node:crypto';

/**
 * Names the crawler gives folders and files (docs/input-format.md §3), read back.
 */

export interface FolderName {
  /** CLI product: the part before the first `_` (best effort: a product may itself hold `_`). */
  product: string;
  /** The query words: what lies between product and timestamp, `_` read as spaces. */
  keywords: string;
  /** Naive local start time, `YYYYMMDD_HHMMSS`, or undefined when the name has none. */
  timestamp?: string;
}

const TRAILING_TIMESTAMP = /^(.*?)_?(\d{8}_\d{6})$/u;

/** `{product}_{keywords}_{YYYYMMDD_HHMMSS}`: the timestamp is the last two `_` parts. */
export function parseFolderName(name: string): FolderName {
  const m = TRAILING_TIMESTAMP.exec(name);
  const prefix = m ? m[1] : name;
  const timestamp = m ? m[2] : undefined;
  const cut = prefix.indexOf('_');
  const product = cut < 0 ? prefix : prefix.slice(0, cut);
  const keywords =
    cut < 0
      ? ''
      : prefix
          .slice(cut + 1)
          .split('_')
          .filter(Boolean)
          .join(' ');
  return { product: product || 'unknown', keywords, timestamp };
}

/** A crawler session folder's name ends in `_YYYYMMDD_HHMMSS` (docs/input-format.md §3.1). */
export function isSessionFolderName(name: string): boolean {
  return /_\d{8}_\d{6}$/u.test(name);
}

export interface IssueFileName {
  issueId: string;
  /** `YYYYMMDD_HHMMSS` of the per-user/shared layouts; undefined for migrated `issues/<id>.json`. */
  timestamp?: string;
}

const ISSUE_FILE_TIMESTAMPED = /^(.+)_(\d{8}_\d{6})\.json$/u;

/** `<issue_id>_<YYYYMMDD_HHMMSS>.json`, or undefined when the name is not of that shape. */
export function parseIssueFileName(name: string): IssueFileName | undefined {
  const m = ISSUE_FILE_TIMESTAMPED.exec(name);
  return m ? { issueId: m[1], timestamp: m[2] } : undefined;
}

/** `no_results_<ts>.png|html` and `debug_screenshot_<ts>.png`: the marks of a failed search. */
export function parseFailureMarker(name: string): { timestamp?: string } | undefined {
  const m = /^(?:no_results|debug_screenshot)_(?:(\d{8}_\d{6})|.*)\.[A-Za-z0-9]+$/u.exec(name);
  return m ? { timestamp: m[1] } : undefined;
}

/** `YYYYMMDD_HHMMSS` -> `YYYY-MM-DD HH:MM:SS.000000`, the sortable form of crawl times. */
export function compactToKey(ts: string): string {
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)} ${ts.slice(9, 11)}:${ts.slice(11, 13)}:${ts.slice(13, 15)}.000000`;
}

const NAIVE_TIME = /^\s*(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6})\d*)?\s*$/u;

/**
 * A naive crawler time (`crawled_at`: `2026-01-03T15:50:05.482913`) as
 * `YYYY-MM-DD HH:MM:SS.ffffff`, or undefined when it is not one. The fixed width makes text
 * order equal time order, which the merge uses to pick the newest crawl.
 */
export function naiveTimeKey(value: string): string | undefined {
  const m = NAIVE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 59) return undefined;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}.${frac.padEnd(6, '0')}`;
}

// Fixed namespace of ims-ingest session UUIDs (a random v4, chosen once; never change it).
const SESSION_NAMESPACE = 'b8a5e2c4-3f1d-4e7a-9c62-5d0f8e1a7b39';

/** RFC 4122 UUIDv5 of `name` in `namespace`: the same session identity, the same UUID, always. */
export function uuidV5(name: string, namespace: string = SESSION_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
