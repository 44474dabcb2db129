import { IngestError } from '../errors';
import { isCrawlOrder, issueIdFault } from './issue-shape';

/**
 * How a value that is not what ISSUE_SHAPE (issue-shape.ts) says is repaired, and the words the
 * repair is reported in, written once for the two repairers: repair.ts on a parsed document, and
 * repair-stream.ts on a big file's token stream, whose repairs must be the same to the letter
 * (the session's problems). The stream gives a list or an object as an empty one of its kind:
 * no rule looks inside one, except to keep it as its JSON text, which each repairer writes its
 * own way (`toJson`).
 */

/** A value replaced by the string `to`, or by the JSON text of the value itself. */
export type Fix = { to: string; toJson?: undefined; repair: string } | { to?: undefined; toJson: true; repair: string };

/** A `string` key's value that is not a string: null is "", a number or boolean its text, the rest its JSON. */
export function stringFix(key: string, v: unknown): Fix {
  if (v === null) return { to: '', repair: `${key} was null; read as ""` };
  if (typeof v === 'number' || typeof v === 'boolean') {
    const to = String(v);
    return { to, repair: `${key} was a ${typeof v}; read as the string "${to}"` };
  }
  return { toJson: true, repair: `${key} was ${describeType(v)}; kept as its JSON text` };
}

/** A field of a list item or of `metadata` (named `where`) that is not a string. */
export function fieldFix(where: string, field: string, v: unknown): Fix {
  const repair = `${where}.${field} was ${describeType(v)}; read as a string`;
  if (v !== null && typeof v === 'object') return { toJson: true, repair };
  return { to: v === null ? '' : String(v), repair };
}

/** A `list` key whose value is not a list: read as []. */
export function notListRepair(key: string, v: unknown): string {
  return `${key} was ${describeType(v)}, not a list; read as []`;
}

/** An item of a `list` key that is not an object: left out. */
export function leftOutRepair(key: string, index: number, item: unknown): string {
  return `${key}[${index}] was ${describeType(item)}, not an object; left out`;
}

/** A `fields` key whose value is not an object: read as {}. */
export function notFieldsRepair(key: string, v: unknown): string {
  return `${key} was ${describeType(v)}, not an object; read as {}`;
}

/**
 * A `crawl_order` value: the number kept (`to`), with a repair when it was a string of digits;
 * or left out (`to` undefined). `json` is the value's JSON text, for the repair's words.
 */
export function crawlOrderFix(
  key: string,
  raw: unknown,
  json: () => string = () => JSON.stringify(raw),
): { to: number; repair?: string } | { to: undefined; repair: string } {
  const n = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (isCrawlOrder(n)) {
    return typeof raw === 'string'
      ? { to: n, repair: `${key} was the string ${JSON.stringify(raw)}; read as the number ${n}` }
      : { to: n };
  }
  return { to: undefined, repair: `${key} ${json()} is not a whole number; read as absent` };
}

/** crawled_at (after its repair as a `string`) that is not empty and not a time. */
export function crawledAtRepair(value: string): string {
  return `crawled_at "${value}" is not a time; the file name's time is used`;
}

/** A document that is not an object: an error, not a repair. */
export function notAnIssue(v: unknown, file: string): IngestError {
  return new IngestError('INVALID_ISSUE', `${file}: expected a JSON object, found ${describeType(v)}`, { file });
}

/**
 * Why a repaired document's `issueId` (trimmed) identifies no issue, as an error; undefined when
 * it does. `url` is the document's url.
 */
export function issueIdError(issueId: string, url: unknown, file: string): IngestError | undefined {
  if (issueId === 'unknown') return loginExpired(url, file);
  const fault = issueIdFault(issueId);
  return fault === undefined ? undefined : new IngestError('INVALID_ISSUE', `${file}: issue_id is ${fault}`, { file });
}

/**
 * The crawler saves the login page it got when the IMS login expired mid-crawl as an issue
 * file `unknown_<ts>.json` (issue_id "unknown", the id it asked for only in `url`): a failed
 * issue of the session, named by that id (docs/input-format.md §3.2).
 */
function loginExpired(url: unknown, file: string): IngestError {
  const id = /[?&]issueId=([^&#]+)/i.exec(typeof url === 'string' ? url : '')?.[1];
  const which = id ? `issue ${decodeURIComponent(id)}` : 'an issue whose id is not in its url either';
  return new IngestError(
    'LOGIN_EXPIRED',
    `${file}: ${which}: the IMS login had expired: the page is not an issue page; not loaded`,
    { file },
  );
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/**
 * `s` as PostgreSQL can store it: NUL removed (text and jsonb reject it), unpaired UTF-16
 * surrogates (which jsonb rejects) replaced with U+FFFD; each change described in `repairs`,
 * at `path` (a value's path in the document, childPath/itemPath; a key's is keyPath).
 */
export function cleanString(s: string, path: string, repairs: string[]): string {
  let out = s;
  if (out.includes('\0')) {
    const count = out.split('\0').length - 1;
    out = out.replace(/\0/g, '');
    repairs.push(`removed ${count} NUL character${count === 1 ? '' : 's'} from ${path || 'the document'}`);
  }
  if (!out.isWellFormed()) {
    out = out.toWellFormed();
    repairs.push(`replaced unpaired surrogate(s) in ${path || 'the document'} with U+FFFD`);
  }
  return out;
}

/** The path of the value of (cleaned) `key` in the object at `path` ('' is the document). */
export const childPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** The path of item `index` of the list at `path`. */
export const itemPath = (path: string, index: number): string => `${path}[${index}]`;

/** Where a key of the object at `path` is said to be, when it is cleaned. */
export const keyPath = (path: string): string => `${path}{key}`;
