/**
 * What each key of an issue document must be (docs/input-format.md §6-7), written once. Three
 * readers judge a document by it: repair.ts on the parsed value (and repairs what is not so),
 * passthrough.ts on a big file's token stream (and sends a file that is all so as its own
 * text), and repair-walk.ts on that stream too (and repairs it as repair.ts would, both by the
 * rules of repair-rules.ts). A rule changed here changes all three; a new kind of shape fails
 * the build until each handles it (their switches are exhaustive, eslint
 * switch-exhaustiveness-check).
 */

/**
 * - `string`: a string (null, a number or a boolean is read as one, anything else as its JSON);
 * - `list`: a list of objects whose fields are strings (an item that is not an object is left
 *   out, a field that is not a string is read as one);
 * - `fields`: an object whose fields are strings (`metadata`);
 * - `crawl_order`: a whole number that fits PostgreSQL's integer, not negative (isCrawlOrder).
 * Keys not in the table are kept as they are, whatever they hold.
 */
export type KeyShape = 'string' | 'list' | 'fields' | 'crawl_order';

/** In the order repair.ts checks them, which is the order its repair messages come in. */
export const ISSUE_SHAPE: Readonly<Record<string, KeyShape>> = {
  issue_id: 'string',
  title: 'string',
  description: 'string',
  product: 'string',
  status: 'string',
  priority: 'string',
  created_date: 'string',
  updated_date: 'string',
  reporter: 'string',
  assignee: 'string',
  product_notice: 'string',
  url: 'string',
  crawled_at: 'string',
  related_issues: 'list',
  comments: 'list',
  history: 'list',
  attachments: 'list',
  metadata: 'fields',
  crawl_order: 'crawl_order',
};

/** The shape `key` must have, or undefined for a key the loader keeps whatever it holds. */
export function shapeOf(key: string): KeyShape | undefined {
  return Object.hasOwn(ISSUE_SHAPE, key) ? ISSUE_SHAPE[key] : undefined;
}

/** ims.issues.issue_id is varchar(50). */
const MAX_ISSUE_ID = 50;

const MAX_CRAWL_ORDER = 2_147_483_647;

/** A crawl_order kept as it is: a whole number that fits PostgreSQL's integer, not negative. */
export function isCrawlOrder(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_CRAWL_ORDER;
}

/** Why an issue_id (already trimmed) cannot identify an issue, or undefined when it can. */
export function issueIdFault(issueId: string): string | undefined {
  if (issueId === '') return 'missing or empty; the file is not loaded';
  if (issueId === 'unknown') return '"unknown" (the crawler found no id on the page); the file is not loaded';
  if (issueId.length > MAX_ISSUE_ID) return `${issueId.length} characters long (at most ${MAX_ISSUE_ID})`;
  return undefined;
}

/** A key or string PostgreSQL stores as it is: no NUL (text and jsonb reject it), no unpaired surrogate (jsonb). */
export function isCleanText(s: string): boolean {
  return !s.includes('\0') && s.isWellFormed();
}
