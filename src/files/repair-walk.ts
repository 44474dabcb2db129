import { naiveTimeKey } from './crawler-names';
import { isCleanText, ISSUE_SHAPE, issueIdFault, shapeOf } from './issue-shape';
import { JsonToken } from './read-json';
import {
  childPath,
  cleanString,
  crawledAtRepair,
  crawlOrderFix,
  fieldFix,
  itemPath,
  keyPath,
  leftOutRepair,
  notFieldsRepair,
  notListRepair,
  Fix,
  stringFix,
} from './repair-rules';

/**
 * repairIssue (repair.ts) on a token stream: what it would report for a file, and, when asked,
 * the text JSON.stringify gives for the document it would repair, written as the tokens come.
 * It holds a few scalars and the keys of the objects being read, never the document.
 *
 * repairIssue works on the value stream-json's Assembler builds, where a later duplicate key
 * replaces an earlier one in its place, and an object lists keys that are array indexes first;
 * its repairs come in that order. A file where either matters (a key twice in an object, after
 * cleaning; an index key after another key), or with a "__proto__" key (the Assembler's is a
 * prototype), or that repairIssue refuses (an error), is given up: the old way loads it.
 */

/** What repairIssue gives for a file, but its document. */
export interface RepairPlan {
  issueId: string;
  crawlOrder: number | null;
  crawledKey?: string;
  repairs: string[];
}

/** How a container's own text is written: as it is, escaped inside a JSON string (a value kept as its JSON text), or not at all. */
type Sink = 'raw' | 'quoted' | 'none';

/**
 * What the values in a container are: anything (`plain`), the document's fields (ISSUE_SHAPE),
 * the items of a `list` key, or fields that must be strings (`metadata`, a list item).
 */
type Role = 'plain' | 'doc' | 'items' | 'fields';

interface Frame {
  list: boolean;
  role: Role;
  sink: Sink;
  /** Whether the container's text is also collected (a value whose JSON text the plan needs). */
  collect: boolean;
  /** `items`: the list's key; `fields`: the name stringFields reports it by (`metadata`, `comments[3]`). */
  where: string;
  /** The current (cleaned) key; the current item's index. */
  key: string;
  index: number;
  written: number;
  keys?: Set<string>;
  /** The lowest array-index key that may come next, or -1 once another key has come. */
  rawOrder: number;
  cleanOrder: number;
  /** What ends the value this container is, once it closes. */
  closed?: () => void;
}

/** A value collected for its JSON text (an issue_id, crawled_at or crawl_order that is a list or an object) is at most this long. */
const COLLECT_MAX = 64 * 1024;

export class RepairWalk {
  /** Why the file is left to the old way, once known. */
  gaveUp?: string;
  private readonly stack: Frame[] = [];
  /** cleanValue's repairs, in document order; then each ISSUE_SHAPE key's, in the table's order. */
  private readonly cleaned: string[] = [];
  private readonly shaped = new Map<string, string[]>();
  private issueId?: string;
  private crawledAt?: string;
  private crawlOrder: number | null = null;
  private collected = '';
  private out = '';

  /** `write`: also write the repaired document's text (take()). */
  constructor(private readonly write: boolean) {}

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
        this.scalar(isCleanText(s) ? s : cleanString(s, this.path(this.stack.length), this.cleaned));
        break;
      }
      case 'numberValue':
        this.advance();
        this.scalar(parseFloat(token.value!)); // as the Assembler reads it
        break;
      case 'nullValue':
        this.advance();
        this.scalar(null);
        break;
      case 'trueValue':
      case 'falseValue':
        this.advance();
        this.scalar(token.name === 'trueValue');
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

  /** The plan, once every token has been consumed; undefined when given up. */
  plan(): RepairPlan | undefined {
    if (this.gaveUp !== undefined) return undefined;
    let repairs = this.cleaned.slice();
    for (const key of Object.keys(ISSUE_SHAPE)) repairs = repairs.concat(this.shaped.get(key) ?? []);
    const issueId = (this.issueId ?? '').trim();
    if (issueIdFault(issueId) !== undefined) {
      this.gaveUp = 'issue_id is missing, empty, "unknown" or too long (an error)';
      return undefined;
    }
    let crawledKey: string | undefined;
    if (this.crawledAt !== undefined && this.crawledAt !== '') {
      crawledKey = naiveTimeKey(this.crawledAt);
      if (crawledKey === undefined) repairs.push(crawledAtRepair(this.crawledAt));
    }
    return { issueId, crawlOrder: this.crawlOrder, crawledKey, repairs };
  }

  /** A value begins: in a list, it is the next item. */
  private advance(): void {
    const f = this.stack[this.stack.length - 1];
    if (f?.list) f.index++;
  }

  /** The value a repair gives a scalar `v` (fix.toJson: its JSON text, as repairIssue's JSON.stringify(v)). */
  private fixed(fix: Fix, v: unknown): string {
    this.shape(fix.repair);
    return fix.to ?? JSON.stringify(v);
  }

  private giveUp(reason: string): void {
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

  /** A repair by the rule of the current ISSUE_SHAPE key. */
  private shape(repair: string): void {
    const key = this.stack[0].key;
    const list = this.shaped.get(key);
    if (list) list.push(repair);
    else this.shaped.set(key, [repair]);
  }

  private key(raw: string): void {
    const f = this.stack[this.stack.length - 1];
    const key = isCleanText(raw) ? raw : cleanString(raw, keyPath(this.path(this.stack.length - 1)), this.cleaned);
    if (raw === '__proto__' || key === '__proto__') return this.giveUp('a "__proto__" key');
    if (f.keys!.has(key)) return this.giveUp('a key twice in one object');
    f.keys!.add(key);
    f.rawOrder = nextOrder(f.rawOrder, raw);
    f.cleanOrder = nextOrder(f.cleanOrder, key);
    if (f.rawOrder < -1 || f.cleanOrder < -1) this.giveUp('an array-index key after another key');
    f.key = key;
  }

  /** Writes `text` into `f`'s text (and collection). */
  private emit(f: Frame, text: string): void {
    if (f.collect) {
      this.collected += text;
      if (this.collected.length > COLLECT_MAX) this.giveUp('a long value whose JSON text a repair needs');
    }
    if (f.sink === 'raw') this.out += text;
    else if (f.sink === 'quoted') this.out += JSON.stringify(text).slice(1, -1);
  }

  /** Writes the next value of `f`: its comma and key, then `text` (`value`'s JSON text if not given). */
  private put(f: Frame, text: string | undefined, value?: unknown): void {
    // Checking a file writes nothing: no JSON text is made for its strings.
    if (f.sink === 'none' && !f.collect) return;
    const json = text ?? JSON.stringify(value);
    this.emit(f, `${f.written++ > 0 ? ',' : ''}${f.list ? '' : `${JSON.stringify(f.key)}:`}${json}`);
  }

  private scalar(v: string | number | boolean | null): void {
    const p = this.stack[this.stack.length - 1];
    if (p === undefined) return this.giveUp('the document is not an object (an error)');
    const shape = p.role === 'doc' ? shapeOf(p.key) : undefined;
    if (p.role === 'plain' || (p.role === 'doc' && shape === undefined)) {
      this.put(p, undefined, v);
    } else if (p.role === 'items') {
      this.shape(leftOutRepair(p.where, p.index, v));
    } else if (p.role === 'fields') {
      this.put(p, undefined, typeof v === 'string' ? v : this.fixed(fieldFix(p.where, p.key, v), v));
    } else if (shape === 'string') {
      let text = typeof v === 'string' ? v : this.fixed(stringFix(p.key, v), v);
      if (p.key === 'issue_id')
        text = this.issueId = text.trim(); // repairIssue sets it trimmed
      else if (p.key === 'crawled_at') this.crawledAt = text;
      this.put(p, undefined, text);
    } else if (shape === 'list' || shape === 'fields') {
      this.shape(shape === 'list' ? notListRepair(p.key, v) : notFieldsRepair(p.key, v));
      this.put(p, shape === 'list' ? '[]' : '{}');
    } else if (shape === 'crawl_order') {
      const fix = crawlOrderFix(p.key, v);
      if (fix.repair !== undefined) this.shape(fix.repair);
      this.crawlOrder = fix.to ?? null;
      if (fix.to !== undefined) this.put(p, undefined, fix.to);
    }
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
      keys: list ? undefined : new Set(),
      rawOrder: 0,
      cleanOrder: 0,
    };
    const empty = list ? [] : {};
    if (p === undefined) {
      if (list) return this.giveUp('the document is not an object (an error)');
      c.role = 'doc';
      c.sink = this.write ? 'raw' : 'none';
    } else {
      const shape = p.role === 'doc' ? shapeOf(p.key) : undefined;
      /** The value is kept as its JSON text: a JSON string holding the container's text. */
      const asJsonText = (repair: string, collect: boolean) => {
        this.shape(repair);
        this.put(p, '"');
        c.sink = p.sink === 'none' ? 'none' : 'quoted';
        c.collect = collect;
        c.closed = () => this.emit(p, '"');
      };
      if (p.role === 'plain' || (p.role === 'doc' && shape === undefined)) {
        this.put(p, '');
        c.sink = p.sink;
        c.collect = p.collect;
      } else if (p.role === 'items' || shape === 'list' || shape === 'fields') {
        const where = p.role === 'items' ? itemPath(p.where, p.index) : p.key;
        if (list === (shape === 'list')) {
          this.put(p, '');
          c.role = p.role === 'items' ? 'fields' : shape === 'list' ? 'items' : 'fields';
          c.sink = p.sink;
          c.where = where;
        } else if (p.role === 'items') {
          this.shape(leftOutRepair(p.where, p.index, empty));
        } else {
          this.shape(shape === 'list' ? notListRepair(p.key, empty) : notFieldsRepair(p.key, empty));
          this.put(p, shape === 'list' ? '[]' : '{}');
        }
      } else if (p.role === 'fields') {
        asJsonText(fieldFix(p.where, p.key, empty).repair, false);
      } else if (shape === 'string') {
        const key = p.key;
        asJsonText(stringFix(key, empty).repair, key === 'issue_id' || key === 'crawled_at');
        if (c.collect) c.closed = () => (this.emit(p, '"'), this.record(key));
      } else if (shape === 'crawl_order') {
        const key = p.key;
        c.collect = true;
        c.closed = () => {
          this.shape(crawlOrderFix(key, empty, () => this.collected).repair!);
          this.collected = '';
        };
      }
    }
    this.emit(c, list ? '[' : '{');
    this.stack.push(c);
  }

  /** issue_id or crawled_at kept as its JSON text, now collected. */
  private record(key: string): void {
    if (key === 'issue_id') this.issueId = this.collected;
    else this.crawledAt = this.collected;
    this.collected = '';
  }

  private close(): void {
    const c = this.stack.pop()!;
    this.emit(c, c.list ? ']' : '}');
    c.closed?.();
  }
}

/**
 * The order state after `key` (Frame.rawOrder): an array-index key (0 to 2^32 - 2) must come
 * before any other key and after the lower ones, for the Assembler's object to list its keys as
 * the file does; -2 when it does not.
 */
function nextOrder(state: number, key: string): number {
  const index = /^(?:0|[1-9]\d{0,9})$/.test(key) ? Number(key) : -1;
  if (index < 0 || index > 4_294_967_294) return state === -2 ? -2 : -1;
  return state >= 0 && index >= state ? index + 1 : -2;
}
