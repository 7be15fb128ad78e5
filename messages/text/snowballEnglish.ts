/**
 * The Snowball English stemmer ("Porter2", M. F. Porter 2001-2006), pure:
 * the stemmer Milvus's english analyzer and `{type: "stemmer", language:
 * "english"}` filter run (tantivy's rust-stemmers, generated from Snowball's
 * english.sbl). It follows the published algorithm step for step:
 * prelude (initial apostrophe dropped, consonant y marked Y), regions R1/R2
 * (gener-, commun-, arsen- fix R1), Step 0/1a, the exceptional words, Steps
 * 1b..5 and the postlude. Words are lowercase; a word of fewer than three
 * characters is left as it is.
 */
export function snowballEnglishStem(word: string): string {
  const special = EXCEPTIONS1.get(word);
  if (special !== undefined) return special;
  if (word.length < 3) return word;
  let w = word.startsWith("'") ? word.slice(1) : word;
  w = markConsonantY(w);
  const [p1, p2] = regions(w);
  w = step1a(w);
  if (!EXCEPTIONS2.has(w)) w = step5(step4(step3(step2(step1c(step1b(w, p1)), p1), p1, p2), p2), p1, p2);
  return w.replaceAll('Y', 'y');
}

/** Words stemmed by lookup, not by the steps (the algorithm's exception1): irregular forms and invariants. */
const EXCEPTIONS1: ReadonlyMap<string, string> = new Map([
  ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'],
  ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'], ['singly', 'singl'],
  ['sky', 'sky'], ['news', 'news'], ['howe', 'howe'], ['atlas', 'atlas'], ['cosmos', 'cosmos'], ['bias', 'bias'], ['andes', 'andes'],
]);
/** Words left as they are after Step 1a (exception2). */
const EXCEPTIONS2: ReadonlySet<string> = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);

/** Vowels; Y (a consonant y) is not one. */
const isVowel = (c: string | undefined): boolean => c !== undefined && 'aeiouy'.includes(c);

/** y at the start or after a vowel is a consonant: marked Y. */
function markConsonantY(w: string): string {
  let out = '';
  for (let i = 0; i < w.length; i++) out += w[i] === 'y' && (i === 0 || isVowel(out[i - 1])) ? 'Y' : w[i];
  return out;
}

/** Where the part after the first non-vowel following a vowel starts, from `from` (the word's length if none). */
function afterVowelConsonant(w: string, from: number): number {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  while (i < w.length && isVowel(w[i])) i++;
  return i < w.length ? i + 1 : w.length;
}

/** R1 and R2 starts; R1 after gener, commun or arsen when the word starts so. */
function regions(w: string): [number, number] {
  const prefix = ['gener', 'commun', 'arsen'].find((p) => w.startsWith(p));
  const p1 = prefix !== undefined ? prefix.length : afterVowelConsonant(w, 0);
  return [p1, afterVowelConsonant(w, p1)];
}

/** Whether w[0..end) ends in a short syllable: non-vowel (not w, x, Y) after a vowel after a non-vowel, or non-vowel after a word-initial vowel. */
function endsShortSyllable(w: string, end = w.length): boolean {
  const c = w[end - 1], v = w[end - 2];
  if (c === undefined || isVowel(c) || !isVowel(v)) return false;
  if (end === 2) return true;
  return !isVowel(w[end - 3]) && !'wxY'.includes(c);
}

/** The longest of `suffixes` that w ends with. */
function longest(w: string, suffixes: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const s of suffixes) if (w.endsWith(s) && (best === undefined || s.length > best.length)) best = s;
  return best;
}

const hasVowel = (s: string): boolean => [...s].some(isVowel);

function step1a(word: string): string {
  let w = word;
  const apostrophe = longest(w, ["'s'", "'s", "'"]);
  if (apostrophe) w = w.slice(0, -apostrophe.length);
  const s = longest(w, ['sses', 'ied', 'ies', 's', 'us', 'ss']);
  const stem = s === undefined ? w : w.slice(0, -s.length);
  switch (s) {
    case 'sses': return stem + 'ss';
    case 'ied': case 'ies': return stem + (stem.length > 1 ? 'i' : 'ie');
    // s goes when a vowel lies before the letter just before it (gas, this stay; gaps, kiwis lose it).
    case 's': return hasVowel(stem.slice(0, -1)) ? stem : w;
    default: return w;
  }
}

const DOUBLES = ['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt'];

function step1b(w: string, p1: number): string {
  const s = longest(w, ['eed', 'eedly', 'ed', 'edly', 'ing', 'ingly']);
  if (s === undefined) return w;
  const stem = w.slice(0, -s.length);
  if (s === 'eed' || s === 'eedly') return stem.length >= p1 ? stem + 'ee' : w;
  if (!hasVowel(stem)) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (DOUBLES.some((d) => stem.endsWith(d))) return stem.slice(0, -1);
  // A short word (R1 empty, ending in a short syllable) gets its e back: hoped -> hope.
  if (stem.length === p1 && endsShortSyllable(stem)) return stem + 'e';
  return stem;
}

function step1c(w: string): string {
  const last = w[w.length - 1];
  return (last === 'y' || last === 'Y') && w.length > 2 && !isVowel(w[w.length - 2]) ? w.slice(0, -1) + 'i' : w;
}

const STEP2: ReadonlyMap<string, string> = new Map([
  ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['entli', 'ent'], ['izer', 'ize'], ['ization', 'ize'],
  ['ational', 'ate'], ['ation', 'ate'], ['ator', 'ate'], ['alism', 'al'], ['aliti', 'al'], ['alli', 'al'], ['fulness', 'ful'],
  ['ousli', 'ous'], ['ousness', 'ous'], ['iveness', 'ive'], ['iviti', 'ive'], ['biliti', 'ble'], ['bli', 'ble'], ['ogi', 'og'],
  ['fulli', 'ful'], ['lessli', 'less'], ['li', ''],
]);
const STEP2_SUFFIXES = [...STEP2.keys()];

function step2(w: string, p1: number): string {
  const s = longest(w, STEP2_SUFFIXES);
  if (s === undefined) return w;
  const stem = w.slice(0, -s.length);
  if (stem.length < p1) return w;
  if (s === 'ogi' && !stem.endsWith('l')) return w;
  if (s === 'li' && !'cdeghkmnrt'.includes(stem[stem.length - 1] ?? '-')) return w;
  return stem + STEP2.get(s)!;
}

const STEP3: ReadonlyMap<string, string> = new Map([
  ['tional', 'tion'], ['ational', 'ate'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''], ['ative', ''],
]);
const STEP3_SUFFIXES = [...STEP3.keys()];

function step3(w: string, p1: number, p2: number): string {
  const s = longest(w, STEP3_SUFFIXES);
  if (s === undefined) return w;
  const stem = w.slice(0, -s.length);
  if (stem.length < p1 || (s === 'ative' && stem.length < p2)) return w;
  return stem + STEP3.get(s)!;
}

const STEP4 = ['al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate', 'iti', 'ous', 'ive', 'ize', 'ion'];

function step4(w: string, p2: number): string {
  const s = longest(w, STEP4);
  if (s === undefined) return w;
  const stem = w.slice(0, -s.length);
  if (stem.length < p2) return w;
  if (s === 'ion' && !(stem.endsWith('s') || stem.endsWith('t'))) return w;
  return stem;
}

function step5(w: string, p1: number, p2: number): string {
  const stem = w.slice(0, -1);
  if (w.endsWith('e')) return stem.length >= p2 || (stem.length >= p1 && !endsShortSyllable(stem)) ? stem : w;
  if (w.endsWith('l')) return stem.length >= p2 && stem.endsWith('l') ? stem : w;
  return w;
}
