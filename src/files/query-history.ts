import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeError } from '../errors';
import { naiveTimeKey } from './crawler-names';
import { cleanJson } from './repair';

/**
 * `<root>/history/query_history.json` and `favorites.json` (docs/input-format.md §11): JSON
 * arrays of `{query, product, parsed_query, language, method, confidence, results_count,
 * timestamp, execution_time, is_favorite}`, one record per successful crawl, all users
 * together, rewritten whole (not atomically) after every crawl.
 *
 * A file that does not parse is most likely being rewritten: nothing is loaded from either
 * file this time (is_favorite needs both), and the caller tries again at the next change.
 * An entry of the wrong shape is left out and named in `problems`; the others load.
 */

export const HISTORY_FILES = ['query_history.json', 'favorites.json'] as const;

export interface HistoryEntry {
  /** Natural key: `<timestamp>|<product>|<query>` as written. */
  history_key: string;
  original_query: string;
  parsed_query: string | null;
  query_language: string | null;
  product: string;
  parsing_method: string | null;
  parsing_confidence: number | null;
  results_count: number | null;
  /** Naive local end of the crawl, as written. */
  timestamp: string;
  execution_time: number;
  is_favorite: boolean;
  /** The entry as written (the query_history.json one when both files have it). */
  entry: Record<string, unknown>;
}

export interface HistoryRead {
  /** 'absent': neither file exists; 'unreadable': a file does not parse (or is not a list) yet. */
  status: 'loaded' | 'absent' | 'unreadable';
  entries: HistoryEntry[];
  /** What was wrong, each naming its file (and entry index). */
  problems: string[];
}

/** The history directory of a crawler data root. */
export function historyDir(root: string): string {
  return join(resolve(root), 'history');
}

export async function readQueryHistory(root: string): Promise<HistoryRead> {
  const dir = historyDir(root);
  const problems: string[] = [];
  const lists: Partial<Record<(typeof HISTORY_FILES)[number], unknown[]>> = {};
  for (const name of HISTORY_FILES) {
    const path = join(dir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      return { status: 'unreadable', entries: [], problems: [`${path}: ${describeError(err)}`] };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return {
        status: 'unreadable',
        entries: [],
        problems: [
          `${path}: not valid JSON (being rewritten by the crawler?): ${describeError(err)}; read again at its next change`,
        ],
      };
    }
    if (!Array.isArray(value)) {
      return {
        status: 'unreadable',
        entries: [],
        problems: [`${path}: expected a JSON array of query records, found ${value === null ? 'null' : typeof value}`],
      };
    }
    lists[name] = value;
  }
  if (!lists['query_history.json'] && !lists['favorites.json']) return { status: 'absent', entries: [], problems };

  const byKey = new Map<string, HistoryEntry>();
  for (const name of HISTORY_FILES) {
    (lists[name] ?? []).forEach((raw, i) => {
      const where = `${join(dir, name)} [${i}]`;
      const entry = toEntry(raw, where, problems);
      if (!entry) return;
      const favourite = name === 'favorites.json' || entry.is_favorite;
      const seen = byKey.get(entry.history_key);
      if (seen) seen.is_favorite ||= favourite;
      else byKey.set(entry.history_key, { ...entry, is_favorite: favourite });
    });
  }
  return {
    status: 'loaded',
    entries: [...byKey.values()].sort((a, b) => (a.history_key < b.history_key ? -1 : 1)),
    problems,
  };
}

function toEntry(raw: unknown, where: string, problems: string[]): HistoryEntry | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(
      `${where}: expected an object, found ${Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw}; entry skipped`,
    );
    return undefined;
  }
  // What PostgreSQL cannot store (NUL, unpaired surrogates) goes before any field is read.
  const e = cleanJson(raw, []) as Record<string, unknown>;
  const query = text(e.query);
  const product = text(e.product);
  const timestamp = text(e.timestamp);
  const missing = [
    !query && 'query',
    !product && 'product',
    !(timestamp && naiveTimeKey(timestamp)) && 'timestamp',
  ].filter(Boolean);
  if (missing.length > 0) {
    problems.push(`${where}: ${missing.join(', ')} missing or not a valid value; entry skipped`);
    return undefined;
  }
  let execution = typeof e.execution_time === 'number' && Number.isFinite(e.execution_time) ? e.execution_time : 0;
  if (
    execution < 0 ||
    execution > 86400 * 7 ||
    (e.execution_time !== undefined && typeof e.execution_time !== 'number')
  ) {
    problems.push(
      `${where}: execution_time ${JSON.stringify(e.execution_time)} is not a duration in seconds; read as 0`,
    );
    execution = 0;
  }
  const confidence =
    typeof e.confidence === 'number' && Math.abs(e.confidence) < 1000 ? Math.round(e.confidence * 100) / 100 : null;
  const count =
    typeof e.results_count === 'number' &&
    Number.isInteger(e.results_count) &&
    e.results_count >= 0 &&
    e.results_count < 2 ** 31
      ? e.results_count
      : null;
  return {
    history_key: `${timestamp}|${product}|${query}`,
    original_query: query!,
    parsed_query: text(e.parsed_query) ?? null,
    query_language: text(e.language) ?? null,
    product: product!,
    parsing_method: text(e.method)?.slice(0, 50) ?? null,
    parsing_confidence: confidence,
    results_count: count,
    timestamp: timestamp!,
    execution_time: execution,
    is_favorite: e.is_favorite === true,
    entry: e,
  };
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
