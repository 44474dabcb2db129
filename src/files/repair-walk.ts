import { IngestError } from '../errors';
import { naiveTimeKey } from './crawler-names';
import { ISSUE_SHAPE, KeyShape, shapeOf } from './issue-shape';
import { Frame, JsonWalk, Role } from './json-walk';
import {
  crawledAtRepair,
  crawlOrderFix,
  fieldFix,
  issueIdError,
  itemPath,
  leftOutRepair,
  notAnIssue,
  notFieldsRepair,
  notListRepair,
  Fix,
  stringFix,
} from './repair-rules';

/**
 * repairIssue (repair.ts) on a token stream (json-walk.ts): what it would report for a file,
 * and, when asked, the text JSON.stringify gives for the document it would repair, written as
 * the tokens come, by the rules of repair-rules.ts for each key's ISSUE_SHAPE.
 *
 * repairIssue works on the value stream-json's Assembler builds, where a later duplicate key
 * replaces an earlier one in its place, and an object lists keys that are array indexes first;
 * its repairs come in that order. A file where either matters (a key twice in an object, after
 * cleaning; an index key after another key), or with a "__proto__" key (the Assembler's is a
 * prototype), is given up: the old way loads it. One that repairIssue refuses is refused with
 * its error (plan()).
 */

/** What repairIssue gives for a file, but its document. */
export interface RepairPlan {
  issueId: string;
  crawlOrder: number | null;
  crawledKey?: string;
  repairs: string[];
}

/** The rule for a value: its container's role, or in the document its key's shape (`plain` when none). */
type Rule = Exclude<Role, 'doc'> | KeyShape;

export class RepairWalk extends JsonWalk {
  /** Each ISSUE_SHAPE key's repairs, which repairIssue makes after cleaning, in the table's order. */
  private readonly shaped = new Map<string, string[]>();
  private issueId?: string;
  private crawledAt?: string;
  private url?: string;
  private crawlOrder: number | null = null;

  /**
   * The plan, once every token has been consumed; undefined when given up; the error repairIssue
   * would throw for a document it refuses (`file` is the name it gives).
   */
  plan(file: string): RepairPlan | IngestError | undefined {
    if (this.gaveUp !== undefined) return undefined;
    if (this.notObject) return notAnIssue(this.notObject.value, file);
    let repairs = this.cleaned.slice();
    for (const key of Object.keys(ISSUE_SHAPE)) repairs = repairs.concat(this.shaped.get(key) ?? []);
    const issueId = (this.issueId ?? '').trim();
    const refused = issueIdError(issueId, this.url, file);
    if (refused !== undefined) return refused;
    let crawledKey: string | undefined;
    if (this.crawledAt !== undefined && this.crawledAt !== '') {
      crawledKey = naiveTimeKey(this.crawledAt);
      if (crawledKey === undefined) repairs.push(crawledAtRepair(this.crawledAt));
    }
    return { issueId, crawlOrder: this.crawlOrder, crawledKey, repairs };
  }

  /** The value a repair gives a scalar `v` (fix.toJson: its JSON text, as repairIssue's JSON.stringify(v)). */
  private fixed(fix: Fix, v: unknown): string {
    this.shape(fix.repair);
    return fix.to ?? JSON.stringify(v);
  }

  /** A repair by the rule of the current ISSUE_SHAPE key. */
  private shape(repair: string): void {
    const key = this.stack[0].key;
    const list = this.shaped.get(key);
    if (list) list.push(repair);
    else this.shaped.set(key, [repair]);
  }

  /** How a value in `p` is repaired. */
  private rule(p: Frame): Rule {
    return p.role === 'doc' ? (shapeOf(p.key) ?? 'plain') : p.role;
  }

  protected scalar(v: string | number | boolean | null): void {
    const p = this.stack[this.stack.length - 1];
    const rule = this.rule(p);
    switch (rule) {
      case 'plain':
        return this.put(p, undefined, v);
      case 'items':
        return this.shape(leftOutRepair(p.where, p.index, v));
      case 'strings':
        return this.put(p, undefined, typeof v === 'string' ? v : this.fixed(fieldFix(p.where, p.key, v), v));
      case 'string': {
        let text = typeof v === 'string' ? v : this.fixed(stringFix(p.key, v), v);
        if (p.key === 'issue_id') text = text.trim(); // repairIssue sets it trimmed
        this.record(p.key, text);
        return this.put(p, undefined, text);
      }
      case 'list':
      case 'fields':
        this.shape(rule === 'list' ? notListRepair(p.key, v) : notFieldsRepair(p.key, v));
        return this.put(p, rule === 'list' ? '[]' : '{}');
      case 'crawl_order': {
        const fix = crawlOrderFix(p.key, v);
        if (fix.repair !== undefined) this.shape(fix.repair);
        this.crawlOrder = fix.to ?? null;
        if (fix.to !== undefined) this.put(p, undefined, fix.to);
        return;
      }
    }
  }

  /** Decides how the container `c` that opens in `p` is repaired and written. */
  protected openIn(p: Frame, c: Frame): void {
    const empty = c.list ? [] : {};
    const rule = this.rule(p);
    /** The same as its parent, if it is what the rule wants; `role` for its values. */
    const kept = (role: Role, where: string) => {
      this.put(p, '');
      c.role = role;
      c.sink = p.sink;
      c.collect = p.collect;
      c.where = where;
    };
    /** Kept as its JSON text: a JSON string holding the container's text. */
    const asJsonText = (repair: string) => {
      this.shape(repair);
      this.put(p, '"');
      c.sink = p.sink === 'none' ? 'none' : 'quoted';
      c.closed = () => this.emit(p, '"');
    };
    switch (rule) {
      case 'plain':
        return kept('plain', '');
      case 'items':
        if (!c.list) return kept('strings', itemPath(p.where, p.index));
        return this.shape(leftOutRepair(p.where, p.index, empty));
      case 'list':
      case 'fields':
        if (c.list === (rule === 'list')) return kept(rule === 'list' ? 'items' : 'strings', p.key);
        this.shape(rule === 'list' ? notListRepair(p.key, empty) : notFieldsRepair(p.key, empty));
        return this.put(p, rule === 'list' ? '[]' : '{}');
      case 'strings':
        return asJsonText(fieldFix(p.where, p.key, empty).repair);
      case 'string': {
        const key = p.key;
        asJsonText(stringFix(key, empty).repair);
        if (key !== 'issue_id' && key !== 'crawled_at' && key !== 'url') return;
        c.collect = true;
        c.closed = () => {
          this.emit(p, '"');
          this.record(key, this.collected);
          this.collected = '';
        };
        return;
      }
      case 'crawl_order': {
        const key = p.key;
        c.collect = true;
        c.closed = () => {
          this.shape(crawlOrderFix(key, empty, () => this.collected).repair!);
          this.collected = '';
        };
        return;
      }
    }
  }

  /** The repaired value of a `string` key the plan needs. */
  private record(key: string, value: string): void {
    if (key === 'issue_id') this.issueId = value;
    else if (key === 'crawled_at') this.crawledAt = value;
    else if (key === 'url') this.url = value;
  }
}
