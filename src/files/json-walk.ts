import { isCleanText } from './issue-shape';
import { ObjectKeys } from './object-keys';
import { JsonToken } from './read-json';
import { childPath, cleanString, itemPath, keyPath } from './repair-rules';

/**
 * A JSON token stream walked as repair.ts walks a parsed document: each key and string cleaned
 * (cleanString, its repair at repair.ts's path), each object's keys checked to be listed as the
 * Assembler would (object-keys.ts), and, when writing, the text JSON.stringify gives for what
 * the subclass (repair-walk.ts) decides each value becomes. It holds the open containers, never
 * the document.
 */

/** How a container's own text is written: as it is, escaped inside a JSON string (a value kept as its JSON text), or not at all. */
export type Sink = 'raw' | 'quoted' | 'none';

/**
 * What the values in a container are: anything (`plain`), the document's fields (each by its
 * ISSUE_SHAPE), the items of a `list` key, or fields that must be strings (`metadata`, a list item).
 */
export type Role = 'plain' | 'doc' | 'items' | 'strings';

export interface Frame {
  list: boolean;
  role: Role;
  sink: Sink;
  /** Whether the container's text is also collected (a value whose JSON text the plan needs). */
  collect: boolean;
  /** `items`: the list's key; `strings`: the name repair.ts's stringFields gives it (`metadata`, `comments[3]`). */
  where: string;
  /** The current (cleaned) key; the current item's index. */
  key: string;
  index: number;
  written: number;
  keys?: ObjectKeys;
  /** What ends the value this container is, once it closes. */
  closed?: () => void;
}

/** A value collected for its JSON text (an issue_id, crawled_at or crawl_order that is a list or an object) is at most this long. */
const COLLECT_MAX = 64 * 1024;

export abstract class JsonWalk {
  /** Why the file is left to the old way, once known. */
  gaveUp?: string;
  protected readonly stack: Frame[] = [];
  /** cleanString's repairs, in document order. */
  protected readonly cleaned: string[] = [];
  /** The JSON text of the value being collected (Frame.collect). */
  protected collected = '';
  /** The document, when it is not an object (a list as []): repairIssue refuses it. */
  protected notObject?: { value: unknown };
  private out = '';

  /** `write`: also write the document's text (take()). */
  constructor(private readonly write: boolean) {}

  /** A scalar value (its string cleaned, its number read as the Assembler reads it) in the top container, which there is. */
  protected abstract scalar(v: string | number | boolean | null): void;

  /** Decides how the container `c` that opens in `p` is read and written. */
  protected abstract openIn(p: Frame, c: Frame): void;

  /** Takes one token; false once the file is given up. */
  consume(token: JsonToken): boolean {
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.advance();
        this.open(token.name === 'startArray');
        break;
      case 'endObject':
      case 'endArray':
        this.close();
        break;
      case 'keyValue':
        this.key(token.value!);
        break;
      case 'stringValue': {
        this.advance();
        const s = token.value!;
        this.value(isCleanText(s) ? s : cleanString(s, this.path(this.stack.length), this.cleaned));
        break;
      }
      case 'numberValue':
        this.advance();
        this.value(parseFloat(token.value!)); // as the Assembler reads it
        break;
      case 'nullValue':
        this.advance();
        this.value(null);
        break;
      case 'trueValue':
      case 'falseValue':
        this.advance();
        this.value(token.name === 'trueValue');
        break;
    }
    return this.gaveUp === undefined;
  }

  /** Characters of the document's text not yet taken. */
  get pending(): number {
    return this.out.length;
  }

  /** The document's text written since the last call. */
  take(): string {
    const text = this.out;
    this.out = '';
    return text;
  }

  private value(v: string | number | boolean | null): void {
    if (this.stack.length === 0) this.notObject = { value: v };
    else this.scalar(v);
  }

  /** A value begins: in a list, it is the next item. */
  private advance(): void {
    const f = this.stack[this.stack.length - 1];
    if (f?.list) f.index++;
  }

  protected giveUp(reason: string): void {
    this.gaveUp ??= reason;
  }

  /** The path (repair.ts's) of the value being read in the container stack[depth - 1]; of stack[depth - 1] itself with depth - 1. */
  private path(depth: number): string {
    let path = '';
    for (let i = 0; i < depth; i++) {
      const f = this.stack[i];
      path = f.list ? itemPath(path, f.index) : childPath(path, f.key);
    }
    return path;
  }

  private key(raw: string): void {
    const f = this.stack[this.stack.length - 1];
    const key = isCleanText(raw) ? raw : cleanString(raw, keyPath(this.path(this.stack.length - 1)), this.cleaned);
    const unlike = f.keys!.add(raw, key);
    if (unlike !== undefined) this.giveUp(unlike);
    f.key = key;
  }

  /** Writes `text` into `f`'s text (and collection). */
  protected emit(f: Frame, text: string): void {
    if (f.collect) {
      this.collected += text;
      if (this.collected.length > COLLECT_MAX) this.giveUp('a long value whose JSON text a repair needs');
    }
    if (f.sink === 'raw') this.out += text;
    else if (f.sink === 'quoted') this.out += JSON.stringify(text).slice(1, -1);
  }

  /** Writes the next value of `f`: its comma and key, then `text` (`value`'s JSON text if not given). */
  protected put(f: Frame, text: string | undefined, value?: unknown): void {
    // Checking a file writes nothing: no JSON text is made for its strings.
    if (f.sink === 'none' && !f.collect) return;
    const json = text ?? JSON.stringify(value);
    this.emit(f, `${f.written++ > 0 ? ',' : ''}${f.list ? '' : `${JSON.stringify(f.key)}:`}${json}`);
  }

  private open(list: boolean): void {
    const p = this.stack[this.stack.length - 1];
    const c: Frame = {
      list,
      role: 'plain',
      sink: 'none',
      collect: false,
      where: '',
      key: '',
      index: -1,
      written: 0,
      keys: list ? undefined : new ObjectKeys(),
    };
    if (p === undefined && list) {
      this.notObject = { value: [] }; // read on: refused only if it is JSON to its end
    } else if (p === undefined) {
      c.role = 'doc';
      c.sink = this.write ? 'raw' : 'none';
    } else {
      this.openIn(p, c);
    }
    this.emit(c, list ? '[' : '{');
    this.stack.push(c);
  }

  private close(): void {
    const c = this.stack.pop()!;
    this.emit(c, c.list ? ']' : '}');
    c.closed?.();
  }
}
