import { Pool } from 'pg';

/**
 * What the database's encoding and character type mean for search (0009_search.sql), said by
 * `migrate`. The bigram keys are characters as the encoding defines them and lower() as
 * LC_CTYPE defines it; ILIKE uses the same lower(), so search always finds what ILIKE finds.
 * What changes is what "case-insensitive" covers, and whether Hangul and Kana are characters.
 */

export interface SearchLocale {
  encoding: string;
  ctype: string;
  collate: string;
  provider: string;
}

export async function searchLocale(pool: Pool): Promise<SearchLocale> {
  const { rows } = await pool.query<SearchLocale>(
    `SELECT pg_encoding_to_char(encoding) AS encoding, datctype AS ctype, datcollate AS collate,
            CASE datlocprovider WHEN 'i' THEN 'icu' ELSE 'libc' END AS provider
     FROM pg_database WHERE datname = current_database()`,
  );
  return rows[0];
}

/** Sentences for the user; empty when search works fully on this database. */
export function searchLocaleWarnings(l: SearchLocale): string[] {
  const out: string[] = [];
  if (l.encoding !== 'UTF8') {
    out.push(
      `database encoding is ${l.encoding}, not UTF8: Korean and Japanese text ${l.encoding === 'SQL_ASCII' ? 'is stored as raw bytes, and search compares bytes (snippets may cut a character in two)' : 'can only be stored as far as this encoding has the characters'}; create the database with ENCODING 'UTF8'`,
    );
  }
  const ctype = l.ctype.toUpperCase();
  if (
    l.provider === 'libc' &&
    (ctype === 'C' || ctype === 'POSIX' || (l.encoding === 'UTF8' && !/UTF-?8/.test(ctype)))
  ) {
    out.push(
      `database LC_CTYPE is ${l.ctype}: search (like ILIKE) folds case only for A-Z, so "ÄPFEL" does not find "äpfel" nor "ＥＲＲＯＲ" "ｅｒｒｏｒ"; ` +
        `Korean, Japanese, digits and symbols are found exactly. For full case folding create the database with a UTF-8 locale ` +
        `(LC_CTYPE 'C.UTF-8' or 'en_US.UTF-8') and load it again`,
    );
  }
  return out;
}
