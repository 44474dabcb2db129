import { FileHandle, open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parser as jsonParser } from 'stream-json';
import { IngestError } from '../errors';
import { checkVerbatim, sameStamp, VerbatimCheck } from './passthrough';
import { FileStamp, JsonToken } from './read-json';
import { RepairPlan, RepairWalk } from './repair-walk';
import { COPY_CHUNK_CHARS, PARSE_READ_BYTES } from './size-limits';

/**
 * A big issue file is loaded without being assembled in memory, whether it needs a repair or
 * not. One read of its token stream both checks whether it can go to jsonb as its own text
 * (passthrough.ts) and works out what repairIssue would report for it (repair-walk.ts); a file
 * that needs a repair is then read a second time, and its repaired text written as its tokens
 * come: a chunk or two in memory, whatever its size (docs/performance.md). The few files the
 * walk gives up (see RepairWalk) are assembled and repaired the old way.
 */

export type BigIssueCheck =
  | Extract<VerbatimCheck, { verbatim: true }>
  | { verbatim: false; reason: string; stamp: FileStamp; plan: RepairPlan }
  /** `oldWay`: why the walk gave the file up; the old way loads it. */
  | { verbatim: false; reason: string; oldWay: string };

/**
 * Checks the issue file at `path`. A file that is not JSON is an IngestError, as readJsonFile's
 * for it; so is one repairIssue refuses, as repairIssue's.
 */
export async function checkBigIssue(path: string, shownAs: string): Promise<BigIssueCheck> {
  const walk = new RepairWalk(false);
  const check = await checkVerbatim(path, shownAs, (token) => walk.consume(token));
  if (check.verbatim) return check;
  const plan = check.stamp && walk.plan(shownAs);
  if (plan instanceof IngestError) throw plan;
  if (plan) return { ...check, stamp: check.stamp!, plan };
  return { verbatim: false, reason: check.reason, oldWay: walk.gaveUp ?? 'the file was not read to its end' };
}

/**
 * The repaired document's text, JSON.stringify's for the document repairIssue would give, in
 * chunks. As with verbatimText (passthrough.ts), the file must still be the one checked: a
 * changed file, or one that now reads to another plan, is an IngestError that fails the
 * session's COPY, since a row half-written cannot be taken back; the next run reads it anew.
 */
export async function* repairedText(
  path: string,
  shownAs: string,
  stamp: FileStamp,
  plan: RepairPlan,
): AsyncGenerator<string> {
  const changed = (): IngestError =>
    new IngestError(
      'PARSE_FAILED',
      `${shownAs}: changed while being read (being written?); it is not what it was a moment ago`,
      { file: path },
    );
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    if (!sameStamp(await handle.stat(), stamp)) throw changed();
    const source = handle.createReadStream({ highWaterMark: PARSE_READ_BYTES, autoClose: false });
    // Its errors come out of the loop below; leaving the loop early destroys both streams.
    const tokens = pipeline(source, jsonParser({ streamValues: false }), () => undefined);
    const walk = new RepairWalk(true);
    for await (const token of tokens as AsyncIterable<JsonToken>) {
      if (!walk.consume(token)) throw changed();
      if (walk.pending >= COPY_CHUNK_CHARS) yield walk.take();
    }
    const again = walk.plan(shownAs);
    if (
      again === undefined ||
      again instanceof IngestError ||
      !samePlan(again, plan) ||
      source.bytesRead !== stamp.size ||
      !sameStamp(await handle.stat(), stamp)
    )
      throw changed();
    yield walk.take();
  } catch (err) {
    if (err instanceof IngestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (!code || !/^E[A-Z]+$/.test(code)) throw changed(); // no longer the JSON it was
    throw new IngestError('PARSE_FAILED', `${shownAs}: cannot read: ${(err as Error).message}`, {
      file: path,
      cause: err,
    });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function samePlan(a: RepairPlan, b: RepairPlan): boolean {
  return (
    a.issueId === b.issueId &&
    a.crawlOrder === b.crawlOrder &&
    a.crawledKey === b.crawledKey &&
    a.repairs.length === b.repairs.length &&
    a.repairs.every((r, i) => r === b.repairs[i])
  );
}
