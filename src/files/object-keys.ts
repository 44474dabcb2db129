/**
 * The keys of one object as a token stream gives them, and whether the object stream-json's
 * Assembler builds from them (as readJsonFile reads a big file) lists them as the file does:
 * repairIssue walks that object in its own key order, so its repairs come in that order. It does
 * not when a key comes twice (JavaScript keeps the later value in the earlier key's place), when
 * a key that is an array index (0 to 2^32 - 2) comes after another key or after a higher index
 * (JavaScript lists array indexes first, ascending), or for "__proto__" (the Assembler's
 * assignment sets the object's prototype). Keys are judged both as read and once cleaned
 * (repair-rules.ts cleanString), since repairIssue rebuilds an object whose keys it cleans.
 */
export class ObjectKeys {
  private readonly seen = new Set<string>();
  /** The lowest array index that may come next, or -1 once another key has come. */
  private rawOrder = 0;
  private cleanOrder = 0;

  /** Takes the next key, as read and cleaned; says why the object is not listed as read, or undefined. */
  add(raw: string, cleaned: string): string | undefined {
    if (raw === '__proto__' || cleaned === '__proto__') return 'a "__proto__" key';
    if (this.seen.has(cleaned)) return 'a key twice in one object';
    this.seen.add(cleaned);
    this.rawOrder = nextOrder(this.rawOrder, raw);
    this.cleanOrder = nextOrder(this.cleanOrder, cleaned);
    if (this.rawOrder < -1 || this.cleanOrder < -1) return 'an array-index key after another key';
    return undefined;
  }
}

/** The order state after `key`; -2 when the key is out of the Assembler's order. */
function nextOrder(state: number, key: string): number {
  const index = /^(?:0|[1-9]\d{0,9})$/.test(key) ? Number(key) : -1;
  if (index < 0 || index > 4_294_967_294) return -1;
  return state >= 0 && index >= state ? index + 1 : -2;
}
