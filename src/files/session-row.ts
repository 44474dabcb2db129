import { describeError } from '../errors';
import { SessionRef } from './discover';
import { compactToKey, parseFolderName } from './crawler-names';
import { problem, ProblemList } from './session-errors';
import { readJsonFile } from './read-json';
import { cleanJson } from './repair';
import { SessionContents } from './session-folder';
import { copyRank } from './crawl-copy';

/**
 * The session row's facts, from the folder name and, in the migrated layout, metadata.json
 * (docs/input-format.md §3 and §8). Counts of issues are left to the merge, which takes them
 * from the staged files.
 */

export interface SessionFacts {
  user_name: string;
  session_uuid: string;
  folder_name: string;
  layout: string;
  data_path: string;
  product: string;
  original_query: string;
  parsed_query: string;
  query_language: string | null;
  max_results: number | null;
  crawl_related: boolean | null;
  started_raw: string | null;
  completed_raw: string | null;
  total_issues_found: number | null;
  metadata: Record<string, unknown>;
  /** Naive local time of the folder name, `YYYY-MM-DD HH:MM:SS.ffffff`: crawl time of last resort. */
  fallbackKey: string;
}

export async function sessionFacts(
  ref: SessionRef,
  contents: SessionContents,
  defaultUser: string,
  problems: ProblemList,
): Promise<SessionFacts> {
  const folder = parseFolderName(ref.folderName);
  let meta: Record<string, unknown> | undefined;
  if (contents.metadataPath) {
    try {
      const value = await readJsonFile(contents.metadataPath, 'metadata.json');
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
      const repairs: string[] = [];
      meta = cleanJson(value, repairs) as Record<string, unknown>;
      if (repairs.length > 0) {
        problems.add(
          problem('repair:metadata.json', 'parsing', 'warning', `metadata.json: ${repairs.join('; ')}`, {
            detail: { repairs },
            file: contents.metadataPath,
          }),
        );
      }
    } catch (err) {
      const message = `metadata.json: ${describeError(err).replace(/^metadata\.json: /, '')}; the folder name is used instead`;
      problems.add(problem('metadata:parse', 'parsing', 'error', message, { file: contents.metadataPath }));
    }
  }
  const config = asObject(meta?.search_config);
  const results = asObject(meta?.results);
  if (meta) recordCrawlerMessages(meta, problems, contents.metadataPath);

  const metaUser = typeof meta?.user_id === 'string' && meta.user_id ? meta.user_id : undefined;
  const userFrom = ref.user ? 'path' : metaUser ? 'metadata' : 'default';
  return {
    user_name: ref.user ?? metaUser ?? defaultUser,
    session_uuid: ref.uuid,
    folder_name: ref.folderName,
    layout: ref.layout,
    data_path: ref.path,
    product: str(config.product) ?? folder.product,
    original_query: str(config.original_query) ?? folder.keywords,
    parsed_query: str(config.parsed_query) ?? folder.keywords,
    query_language: str(config.language) ?? null,
    max_results: int(config.max_results),
    crawl_related: typeof config.crawl_related === 'boolean' ? config.crawl_related : null,
    // The folder name's stamp is when the crawl started; a migrated copy's metadata.json
    // created_at is when the migration ran (docs/input-format.md §8).
    started_raw: folder.timestamp ?? str(meta?.created_at) ?? null,
    completed_raw: str(meta?.completed_at) ?? null,
    total_issues_found: int(results.total_issues),
    metadata: {
      user_from: userFrom,
      copy_rank: copyRank(ref, contents),
      keywords: folder.keywords,
      folder_timestamp: folder.timestamp ?? null,
      failure_markers: contents.failureMarkers.map((m) => m.relPath),
      unrecognized_files: contents.unrecognized,
      ...(meta ? { metadata_json: meta } : {}),
    },
    fallbackKey: folder.timestamp ? compactToKey(folder.timestamp) : '',
  };
}

/** metadata.json `errors` and `warnings` lists become session_errors rows. */
function recordCrawlerMessages(meta: Record<string, unknown>, problems: ProblemList, file?: string): void {
  for (const [list, severity] of [
    ['errors', 'error'],
    ['warnings', 'warning'],
  ] as const) {
    const items = meta[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item, i) => {
      const message = typeof item === 'string' ? item : JSON.stringify(item);
      problems.add(
        problem(`metadata:${list}:${i}`, 'crawling', severity, message, {
          detail: { source: `metadata.json ${list}[${i}]`, value: item as unknown },
          file,
        }),
      );
    });
  }
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function int(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}
