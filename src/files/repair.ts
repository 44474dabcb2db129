import { naiveTimeKey } from './crawler-names';
import { isCleanText, isCrawlOrder, ISSUE_SHAPE } from './issue-shape';
import {
  childPath,
  cleanString,
  crawledAtRepair,
  crawlOrderFix,
  fieldFix,
  isObject,
  issueIdError,
  itemPath,
  keyPath,
  leftOutRepair,
  notFieldsRepair,
  notAnIssue,
  notListRepair,
  stringFix,
} from './repair-rules';

/**
 * Checks one parsed issue document against ISSUE_SHAPE (issue-shape.ts) and repairs what can be
 * repaired without losing the rest of the issue. What cannot be repaired (not an object, no
 * usable issue_id) is an INVALID_ISSUE error naming the file; everything else becomes a
 * warning that says where in the document the change was made. The repairs and their words
 * are repair-rules.ts's, shared with the streaming repairer of big files (repair-stream.ts).
 */

export interface RepairedIssue {
  doc: Record<string, unknown>;
  issueId: string;
  crawlOrder: number | null;
  /** `crawled_at` as `YYYY-MM-DD HH:MM:SS.ffffff`, or undefined when it is not a valid time. */
  crawledKey?: string;
  /** Human-readable repairs ("removed 1 NUL character from description"), empty when none. */
  repairs: string[];
}

export interface RepairOptions {
  /**
   * Repair `value` itself instead of a deep copy: for a caller that owns a freshly parsed
   * value, a copy of a 50 MB document would be 50 MB more at the peak (docs/performance.md).
   */
  inPlace?: boolean;
}

/**
 * Validates and repairs `value`, the parsed content of `file`, against ISSUE_SHAPE
 * (issue-shape.ts); `value` is left as it was unless options.inPlace.
 */
export function repairIssue(value: unknown, file: string, options: RepairOptions = {}): RepairedIssue {
  if (!isObject(value)) throw notAnIssue(value, file);
  const repairs: string[] = [];
  const doc = (options.inPlace ? cleanInPlace : cleanValue)(value, '', repairs) as Record<string, unknown>;

  for (const [key, shape] of Object.entries(ISSUE_SHAPE)) {
    if (!(key in doc)) continue;
    switch (shape) {
      case 'string':
        repairString(doc, key, repairs);
        break;
      case 'list':
        repairList(doc, key, repairs);
        break;
      case 'fields':
        repairFields(doc, key, repairs);
        break;
      case 'crawl_order':
        repairCrawlOrder(doc, key, repairs);
        break;
    }
  }

  const issueId = typeof doc.issue_id === 'string' ? doc.issue_id.trim() : '';
  const refused = issueIdError(issueId, doc.url, file);
  if (refused !== undefined) throw refused;
  doc.issue_id = issueId;

  let crawledKey: string | undefined;
  if (typeof doc.crawled_at === 'string' && doc.crawled_at !== '') {
    crawledKey = naiveTimeKey(doc.crawled_at);
    if (crawledKey === undefined) repairs.push(crawledAtRepair(doc.crawled_at));
  }
  const crawlOrder = isCrawlOrder(doc.crawl_order) ? doc.crawl_order : null;
  return { doc, issueId, crawlOrder, crawledKey, repairs };
}

function repairString(doc: Record<string, unknown>, key: string, repairs: string[]): void {
  const v = doc[key];
  if (typeof v === 'string') return;
  const fix = stringFix(key, v);
  doc[key] = fix.toJson ? JSON.stringify(v) : fix.to;
  repairs.push(fix.repair);
}

function repairList(doc: Record<string, unknown>, key: string, repairs: string[]): void {
  const list = doc[key];
  if (!Array.isArray(list)) {
    repairs.push(notListRepair(key, list));
    doc[key] = [];
    return;
  }
  const kept: Record<string, unknown>[] = [];
  list.forEach((item, i) => {
    if (!isObject(item)) {
      repairs.push(leftOutRepair(key, i, item));
      return;
    }
    kept.push(stringFields(item, itemPath(key, i), repairs));
  });
  doc[key] = kept;
}

function repairFields(doc: Record<string, unknown>, key: string, repairs: string[]): void {
  const m = doc[key];
  if (!isObject(m)) {
    repairs.push(notFieldsRepair(key, m));
    doc[key] = {};
  } else {
    stringFields(m, key, repairs);
  }
}

/** Every field of `obj` that is not a string, read as one (in place). */
function stringFields(obj: Record<string, unknown>, where: string, repairs: string[]): Record<string, unknown> {
  for (const [field, v] of Object.entries(obj)) {
    if (typeof v === 'string') continue;
    const fix = fieldFix(where, field, v);
    obj[field] = fix.toJson ? JSON.stringify(v) : fix.to;
    repairs.push(fix.repair);
  }
  return obj;
}

function repairCrawlOrder(doc: Record<string, unknown>, key: string, repairs: string[]): void {
  const fix = crawlOrderFix(key, doc[key]);
  if (fix.repair !== undefined) repairs.push(fix.repair);
  if (fix.to === undefined) delete doc[key];
  else doc[key] = fix.to;
}

/**
 * Deep copy that PostgreSQL can store: NUL removed from every string (text and jsonb reject
 * it) and unpaired UTF-16 surrogates (which jsonb rejects) replaced with U+FFFD. Each change
 * is described in `repairs`.
 */
export function cleanJson(value: unknown, repairs: string[]): unknown {
  return cleanValue(value, '', repairs);
}

function cleanValue(value: unknown, path: string, repairs: string[]): unknown {
  if (typeof value === 'string') return cleanString(value, path, repairs);
  if (Array.isArray(value)) return value.map((v, i) => cleanValue(v, itemPath(path, i), repairs));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = cleanString(k, keyPath(path), repairs);
      out[key] = cleanValue(v, childPath(path, key), repairs);
    }
    return out;
  }
  return value;
}

/** cleanValue without the copy: arrays and objects are changed where they are. */
function cleanInPlace(value: unknown, path: string, repairs: string[]): unknown {
  if (typeof value === 'string') return cleanString(value, path, repairs);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = cleanInPlace(value[i], itemPath(path, i), repairs);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    // A key that needs cleaning changes the object's shape: rebuild it then, in key order.
    if (!keys.every(isCleanText)) return cleanValue(obj, path, repairs);
    for (const k of keys) obj[k] = cleanInPlace(obj[k], childPath(path, k), repairs);
    return obj;
  }
  return value;
}
