/**
 * Search terms that work for Chinese, which has no spaces between words: runs of CJK characters
 * become overlapping bigrams (开瓶的红酒 → 开瓶 瓶的 的红 红酒) plus the run's last character alone, and
 * other words stay whole, lower-cased. Both the FTS5 and the tsvector index are built over these
 * space-separated terms, so a two-character query like 红酒 finds 开瓶的红酒喝不完 on both backends.
 */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+/gu;
const MAX_WORD = 40;

function runs(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(RUN) ?? [];
}

function bigrams(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** The indexed form of some texts: space-separated terms. */
export function indexTerms(texts: readonly string[]): string {
  const terms: string[] = [];
  for (const text of texts) {
    for (const run of runs(text)) {
      if (CJK.test(run[0]!)) {
        terms.push(...bigrams(run));
        if ([...run].length > 1) terms.push([...run].at(-1)!);
      } else {
        terms.push(run.slice(0, MAX_WORD));
      }
    }
  }
  return terms.join(' ');
}

/**
 * A parsed query: phrases (each a list of adjacent terms) that must all match; the last term of the
 * last phrase may be a prefix (search as you type, and single CJK characters).
 */
export interface ParsedQuery {
  phrases: string[][];
  prefixLast: boolean;
}

export function parseQuery(q: string): ParsedQuery | null {
  const phrases: string[][] = [];
  for (const run of runs(q)) {
    if (CJK.test(run[0]!)) phrases.push(bigrams(run));
    else phrases.push([run.slice(0, MAX_WORD)]);
  }
  if (phrases.length === 0) return null;
  const last = phrases.at(-1)!;
  // A lone CJK character must be a prefix of a bigram; a Latin word may be a prefix of a longer one.
  const prefixLast = last.length === 1;
  return { phrases, prefixLast };
}

/** The FTS5 MATCH expression for a parsed query. Terms hold only letters and digits, and are quoted. */
export function toFts5(p: ParsedQuery): string {
  return p.phrases
    .map((phrase, i) => {
      const quoted = `"${phrase.join(' ')}"`;
      return i === p.phrases.length - 1 && p.prefixLast ? `${quoted}*` : quoted;
    })
    .join(' AND ');
}

/** The to_tsquery('simple', …) text for a parsed query. */
export function toTsquery(p: ParsedQuery): string {
  return p.phrases
    .map((phrase, i) => {
      const terms = phrase.map((t) => `'${t}'`);
      if (i === p.phrases.length - 1 && p.prefixLast) terms[terms.length - 1] += ':*';
      return terms.length > 1 ? `(${terms.join(' <-> ')})` : terms[0];
    })
    .join(' & ');
}
