/**
 * The Snowball Swedish stemmer, pure, as Milvus's `{type: "stemmer",
 * language: "swedish"}` runs it (tantivy's rust-stemmers, from Snowball's
 * swedish.sbl): R1 as in German (after the first non-vowel following a
 * vowel, at least three letters in); Step 1 drops the longest of its endings
 * that lies in R1 (an s only after a valid s-ending), Step 2 undoubles a
 * consonant pair in R1, Step 3 drops lig, ig, els and shortens löst, fullt.
 * Words are lowercase.
 */
export function snowballSwedishStem(word: string): string {
  const p1 = r1(word);
  return step3(step2(step1(word, p1), p1), p1);
}

const isVowel = (c: string | undefined): boolean => c !== undefined && 'aeiouyäåö'.includes(c);

function r1(w: string): number {
  const chars = [...w];
  let i = 0;
  while (i < chars.length && !isVowel(chars[i])) i++;
  while (i < chars.length && isVowel(chars[i])) i++;
  // Counted in UTF-16 units below; the Swedish letters are one unit each.
  return Math.max(i < chars.length ? i + 1 : w.length, 3);
}

/** The longest of `suffixes` that w ends with and that starts at or after p1 (Snowball's among within R1). */
function longestInR1(w: string, suffixes: readonly string[], p1: number): string | undefined {
  let best: string | undefined;
  for (const s of suffixes) if (w.endsWith(s) && w.length - s.length >= p1 && (best === undefined || s.length > best.length)) best = s;
  return best;
}

const STEP1 = [
  'a', 'arna', 'erna', 'heterna', 'orna', 'ad', 'e', 'ade', 'ande', 'arne', 'are', 'aste', 'en', 'anden', 'aren', 'heten', 'ern', 'ar', 'er',
  'heter', 'or', 'as', 'arnas', 'ernas', 'ornas', 'es', 'ades', 'andes', 'ens', 'arens', 'hetens', 'erns', 'at', 'andet', 'het', 'ast', 's',
];

function step1(w: string, p1: number): string {
  const s = longestInR1(w, STEP1, p1);
  if (s === undefined) return w;
  // The letter before s need not be in R1.
  if (s === 's') return 'bcdfghjklmnoprtvy'.includes(w[w.length - 2] ?? '-') ? w.slice(0, -1) : w;
  return w.slice(0, -s.length);
}

function step2(w: string, p1: number): string {
  return longestInR1(w, ['dd', 'gd', 'nn', 'dt', 'gt', 'kt', 'tt'], p1) ? w.slice(0, -1) : w;
}

function step3(w: string, p1: number): string {
  const s = longestInR1(w, ['lig', 'ig', 'els', 'löst', 'fullt'], p1);
  if (s === undefined) return w;
  return s === 'löst' || s === 'fullt' ? w.slice(0, -1) : w.slice(0, -s.length);
}
