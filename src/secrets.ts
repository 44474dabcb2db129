/**
 * Passwords never reach the output. Everything ims-ingest prints goes through maskSecrets
 * (src/cli/run.ts output(), src/log.ts), which hides:
 *  - the password of every postgres:// or postgresql:// URL in the text, up to the LAST `@`
 *    of the URL, so a raw `@` inside the password (`u:p@ss@host`) hides all of it;
 *  - every `password=` / `sslpassword=` parameter (URL query or libpq key=value form);
 *  - the passwords this run was given (registerSecrets: the URL's password, raw and
 *    percent-decoded, and PGPASSWORD), wherever they appear, e.g. inside a driver's message.
 * Passwords shorter than 4 characters are hidden by the patterns only: masking every
 * occurrence of "ab" would garble the output.
 */

const MASK = '***';
const registered = new Set<string>();

const URL_PASSWORD = /(postgres(?:ql)?:\/\/[^:@/?#\s'"]*):[^\s'"]*@/gi;
// A trailing ':' is taken for the text's own punctuation ("at <url>: reason").
const PASSWORD_PARAM = /(\b(?:ssl)?password\s*=\s*)('[^']*'|"[^"]*"|[^\s&'"]*[^\s&'":])/gi;

/** The password of a postgres URL as written (userinfo up to its last `@`, or ?password=). */
export function passwordsOfUrl(url: string): string[] {
  const found: string[] = [];
  const m = /^postgres(?:ql)?:\/\/([\s\S]*)@/i.exec(url);
  if (m) {
    const colon = m[1].indexOf(':');
    if (colon >= 0 && !m[1].slice(0, colon).includes('/')) found.push(m[1].slice(colon + 1));
  }
  for (const p of url.matchAll(/[?&](?:ssl)?password=([^&#]*)/gi)) found.push(p[1]);
  return found.flatMap(variants);
}

/** The raw, percent-decoded and percent-encoded spellings of one secret. */
function variants(secret: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret)]);
  try {
    out.add(decodeURIComponent(secret));
  } catch {
    // a malformed %-escape: the raw text is what would be printed
  }
  return [...out].filter((s) => s.length > 0);
}

/** Adds secrets to hide from everything maskSecrets is given from now on. */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (v) for (const s of variants(v)) registered.add(s);
}

/** `text` with every password hidden (see the top of this file). */
export function maskSecrets(text: string): string {
  let out = text.replace(URL_PASSWORD, `$1:${MASK}@`).replace(PASSWORD_PARAM, `$1${MASK}`);
  // longest first, so a secret containing another is hidden whole
  for (const s of [...registered].sort((a, b) => b.length - a.length)) {
    if (s.length >= 4) out = out.split(s).join(MASK);
  }
  return out;
}

/** A connection string fit to print: its password hidden. */
export function redactUrl(url: string): string {
  return maskSecrets(url);
}
