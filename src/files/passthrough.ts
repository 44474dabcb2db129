import { FileHandle, open } from 'node:fs/promises';
import { IngestError } from '../errors';
import { naiveTimeKey } from './crawler-names';
import { FileStamp, JsonToken, parseJsonTokens } from './read-json';
import { isCleanText, isCrawlOrder, issueIdFault, KeyShape, shapeOf } from './issue-shape';
import { PASSTHROUGH_READ_BYTES } from './size-limits';

/**
 * A big issue file that needs no repair is loaded as its own text: its `doc` column is the
 * file's bytes, COPY-escaped, and jsonb ignores their white space. The file is read twice, and
 * held in memory neither time: once as stream-json tokens, to check it and find what the row's
 * other columns need, then as text, chunk by chunk, while its row is written. Assembled, a 50 MB
 * file is about 80 MB in V8 (docs/performance.md); this way, a chunk or two at a time, whatever
 * its size.
 *
 * "Needs no repair" means every key has the shape ISSUE_SHAPE (issue-shape.ts) says, the one
 * table repairIssue (repair.ts) also repairs by. A file that needs a repair is repaired on the
 * same token stream (repair-stream.ts), or, in the few cases that cannot be, goes the old way
 * (assembled, repaired, written piece by piece); either reports it.
 */

export type VerbatimCheck =
  | {
      verbatim: true;
      /** What repairIssue would give for the file. */
      issueId: string;
      crawlOrder: number | null;
      crawledKey?: string;
      /** The file as it was checked: changed since, it is not the file that was checked. */
      stamp: FileStamp;
    }
  | {
      verbatim: false;
      /** What repairIssue would change, or why the file's text cannot go to jsonb as it is. */
      reason: string;
      /** The file as it was when the check opened it. */
      stamp?: FileStamp;
    };

/**
 * Checks the issue file at `path` on its token stream. A file that is not JSON is an
 * IngestError, the same as readJsonFile's (read.ts) for it. `alongside`, when given, sees the
 * same tokens in the same read (repair-stream.ts), which goes on while either wants more.
 */
export async function checkVerbatim(
  path: string,
  shownAs: string,
  alongside?: (token: JsonToken) => boolean,
): Promise<VerbatimCheck> {
  const checker = new IssueChecker();
  const outside = new OutsideStrings();
  let checking = true;
  let more = alongside !== undefined;
  const stamp = await parseJsonTokens(
    path,
    shownAs,
    (token) => {
      if (checking) checking = checker.consume(token) && !outside.found;
      if (more) more = alongside!(token);
      return checking || more;
    },
    (chunk) => {
      if (checking) outside.feed(chunk);
    },
  );
  if (outside.found)
    return {
      verbatim: false,
      reason: 'white space that JSON does not allow (stream-json accepts any Unicode space)',
      stamp,
    };
  const result = checker.result(stamp);
  return result.verbatim ? result : { ...result, stamp };
}

/**
 * The text of a file that checkVerbatim passed, chunk by chunk (decoded as UTF-8 across chunk
 * boundaries, as the check read it). It must still be the file that was checked, byte for byte:
 * the crawler writes without rename (docs/input-format.md §5), so a file can be rewritten between
 * the two reads, and a row already half-written cannot be taken back. A changed file is an
 * IngestError, which fails the session's COPY; the next run reads the file anew.
 */
export async function* verbatimText(path: string, shownAs: string, stamp: FileStamp): AsyncGenerator<string> {
  const changed = (): IngestError =>
    new IngestError(
      'PARSE_FAILED',
      `${shownAs}: changed while being read (being written?); its size or modification time is not what it was a moment ago`,
      { file: path },
    );
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    if (!sameStamp(await handle.stat(), stamp)) throw changed();
    const source = handle.createReadStream({
      encoding: 'utf8',
      highWaterMark: PASSTHROUGH_READ_BYTES,
      autoClose: false,
    });
    for await (const text of source as AsyncIterable<string>) {
      // The checked file had none (a NUL is repaired); COPY cannot carry one.
      if (text.includes('\0')) throw changed();
      yield text;
    }
    if (source.bytesRead !== stamp.size || !sameStamp(await handle.stat(), stamp)) throw changed();
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError('PARSE_FAILED', `${shownAs}: cannot read: ${(err as Error).message}`, {
      file: path,
      cause: err,
    });
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export function sameStamp(info: FileStamp, stamp: FileStamp): boolean {
  return info.size === stamp.size && info.mtimeMs === stamp.mtimeMs;
}

/** What a value is, as far as repairIssue cares. */
type Kind = 'string' | 'number' | 'null' | 'boolean' | 'object' | 'list';

/** What a value at the top two levels must be for repairIssue to leave it alone. */
type Expect = KeyShape | 'any';

/**
 * repairIssue's judgement, taken on the token stream. It keeps a few scalars, never the
 * document: the top-level fields repairIssue looks at (their last occurrence: with a key twice,
 * the last value is the one JSON.parse and jsonb keep), and, inside one list item or `metadata`,
 * the names of the fields whose last value is not a string.
 *
 * Some things end the check at once, whatever follows, because no later duplicate undoes them
 * in the file's text: a key or string that repairIssue would clean (NUL, an unpaired surrogate,
 * which jsonb rejects even in a value a duplicate replaces); a number jsonb would not read as
 * JSON.parse does; a `__proto__` key (the old way's assembler takes it for the prototype, jsonb
 * for a field). Those go the old way too.
 */
class IssueChecker {
  private reason?: string;
  /** Containers open around the next token: 1 inside the document, 2 inside a top-level field's value... */
  private depth = 0;
  private topKey = '';
  /** What the container of the top-level field being read must hold (depth 2 and, for a list, its items at 3). */
  private holds: Expect = 'any';
  /** Whether that container is, so far, what repairIssue leaves alone. */
  private holdsOk = true;
  /** The key of the current field of a list item or of `metadata`. */
  private fieldKey = '';
  /** Fields of the current list item or `metadata` whose last value is not a string. */
  private notStrings = new Set<string>();
  /** Each checked top-level field's last value: undefined when repairIssue keeps it, else the repair. */
  private repairs = new Map<string, string | undefined>();
  private issueId?: string;
  private crawledAt?: string;
  private crawlOrder: number | null = null;

  /** Takes one token; false once the file is known to need the old way, whatever follows. */
  consume(token: JsonToken): boolean {
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.value(token.name === 'startObject' ? 'object' : 'list');
        this.depth++;
        break;
      case 'endObject':
      case 'endArray':
        this.depth--;
        this.closed();
        break;
      case 'keyValue':
        this.key(token.value!);
        break;
      case 'stringValue':
        if (!isCleanText(token.value!))
          this.stop('a string that repairIssue would clean (NUL or an unpaired surrogate)');
        else this.value('string', token.value);
        break;
      case 'numberValue':
        if (!plainNumber(token.value!))
          this.stop(`a number jsonb does not read as JSON.parse does (${token.value!.slice(0, 40)})`);
        else this.value('number', token.value);
        break;
      case 'nullValue':
        this.value('null');
        break;
      case 'trueValue':
      case 'falseValue':
        this.value('boolean');
        break;
    }
    return this.reason === undefined;
  }

  /** The verdict, once every token has been consumed (or consume returned false). */
  result(stamp: FileStamp): VerbatimCheck {
    if (this.reason !== undefined) return { verbatim: false, reason: this.reason };
    for (const [key, repair] of this.repairs)
      if (repair !== undefined) return { verbatim: false, reason: `${key}: ${repair}` };
    const id = this.repairs.has('issue_id') ? this.issueId! : '';
    const trimmed = id.trim();
    if (issueIdFault(trimmed) !== undefined) {
      return { verbatim: false, reason: 'issue_id is missing, empty, "unknown" or too long (an error)' };
    }
    if (trimmed !== id) return { verbatim: false, reason: 'issue_id has white space around it (trimmed)' };
    let crawledKey: string | undefined;
    if (this.repairs.has('crawled_at') && this.crawledAt !== '') {
      crawledKey = naiveTimeKey(this.crawledAt!);
      if (crawledKey === undefined) return { verbatim: false, reason: 'crawled_at is not a time' };
    }
    return {
      verbatim: true,
      issueId: id,
      crawlOrder: this.repairs.has('crawl_order') ? this.crawlOrder : null,
      crawledKey,
      stamp,
    };
  }

  private stop(reason: string): void {
    this.reason = reason;
  }

  private key(key: string): void {
    if (!isCleanText(key)) this.stop('a key that repairIssue would clean (NUL or an unpaired surrogate)');
    else if (key === '__proto__') this.stop('a "__proto__" key');
    else if (this.depth === 1) this.topKey = key;
    else this.fieldKey = key;
  }

  /** A value begins (a scalar, or the start of an object or list) at the current depth. */
  private value(kind: Kind, text?: string): void {
    if (this.depth === 0) {
      if (kind !== 'object') this.stop('the document is not an object (an error)');
    } else if (this.depth === 1) {
      this.topValue(kind, text);
    } else if (this.depth === 2 && this.holds === 'list') {
      if (kind === 'object') this.notStrings.clear();
      else this.holdsOk = false; // an item that is not an object is left out
    } else if ((this.depth === 2 && this.holds === 'fields') || (this.depth === 3 && this.holds === 'list')) {
      if (kind === 'string') this.notStrings.delete(this.fieldKey);
      else this.notStrings.add(this.fieldKey);
    }
  }

  /** The value of the top-level field topKey: a scalar, or the start of its container. */
  private topValue(kind: Kind, text?: string): void {
    const key = this.topKey;
    const shape = shapeOf(key);
    this.holds = 'any';
    if (shape === undefined) return;
    let repair: string | undefined;
    switch (shape) {
      case 'string':
        if (kind !== 'string') repair = 'not a string';
        else if (key === 'issue_id') this.issueId = text;
        else if (key === 'crawled_at') this.crawledAt = text;
        break;
      case 'crawl_order': {
        const n = kind === 'number' ? Number(text) : NaN;
        if (isCrawlOrder(n)) this.crawlOrder = n;
        else repair = 'not a whole number from 0 to 2147483647';
        break;
      }
      case 'list':
      case 'fields':
        if (kind !== (shape === 'list' ? 'list' : 'object')) {
          repair = `not ${shape === 'list' ? 'a list' : 'an object'}`;
          break;
        }
        // Judged when it closes (closed()).
        this.holds = shape;
        this.holdsOk = true;
        this.notStrings.clear();
        return;
    }
    this.repairs.set(key, repair);
  }

  /** A container has just closed; depth is now that of its parent. */
  private closed(): void {
    if (this.depth === 1 && this.holds !== 'any') {
      if (this.holds === 'fields' && this.notStrings.size > 0) this.holdsOk = false;
      const repair =
        this.holds === 'list' ? 'an item that is not an object of strings' : 'a field that is not a string';
      this.repairs.set(this.topKey, this.holdsOk ? undefined : repair);
      this.holds = 'any';
    } else if (this.depth === 2 && this.holds === 'list' && this.notStrings.size > 0) {
      this.holdsOk = false;
    }
  }
}

/**
 * A number that jsonb stores as the value JSON.parse reads: finite as a double (JSON.parse reads
 * 1e400 as Infinity, which the old way writes as null), and within PostgreSQL's numeric input
 * (an exponent of at most 1000; the length bound keeps the scale far inside its limit).
 */
function plainNumber(text: string): boolean {
  if (text.length > 1000 || !Number.isFinite(Number(text))) return false;
  const exponent = /[eE][-+]?(\d+)$/.exec(text);
  return exponent === null || Number(exponent[1]) <= 1000;
}

/**
 * Follows a file's bytes in and out of strings, to find what stream-json takes for white space
 * between tokens and JSON (jsonb, JSON.parse) does not: \v, \f, and any non-ASCII character (a
 * byte order mark, U+00A0, U+3000...; stream-json's pattern is JavaScript's \s). Bytes are enough:
 * `"` and `\` never occur inside a multi-byte UTF-8 character.
 */
class OutsideStrings {
  found = false;
  private inString = false;
  private escaped = false;

  feed(chunk: Buffer): void {
    let inString = this.inString;
    let escaped = this.escaped;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
      } else if (b === 0x22) {
        inString = true;
      } else if (b >= 0x80 || b === 0x0b || b === 0x0c) {
        this.found = true;
      }
    }
    this.inString = inString;
    this.escaped = escaped;
  }
}
