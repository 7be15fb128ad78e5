/**
 * A strict reader of the Prometheus text format (0.0.4) for tests: it throws on
 * anything malformed, so a test that parses a scrape also checks its form.
 * Checks: HELP and TYPE once per family and before its samples, a family's
 * samples together, valid names, escapes, histogram buckets cumulative and
 * ending at +Inf with the same count as _count. Written from the format's
 * description, independently of runtime/metrics/exposition.ts.
 */

export interface Sample { name: string; labels: Record<string, string>; value: number }
export interface Family { name: string; help?: string; type?: string; samples: Sample[] }

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(s: string, line: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`bad value '${s}' in: ${line}`);
  return Number(s);
}

function unescapeHelp(s: string, line: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`bad escape \\${c} in HELP: ${line}`);
  });
}

/** `{a="x",b="y"}` at the start of `s`: the labels and what follows. */
function parseLabels(s: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  while (s[i] !== '}') {
    const name = LABEL.exec(s.slice(i))?.[0];
    if (!name || s[i + name.length] !== '=' || s[i + name.length + 1] !== '"') throw new Error(`bad label at ${i}: ${line}`);
    if (name in labels) throw new Error(`label ${name} repeated: ${line}`);
    i += name.length + 2;
    let v = '';
    for (;; i++) {
      const c = s[i];
      if (c === undefined || c === '\n') throw new Error(`unterminated label value: ${line}`);
      if (c === '"') break;
      if (c === '\\') {
        const e = s[++i];
        if (e === '\\') v += '\\'; else if (e === '"') v += '"'; else if (e === 'n') v += '\n';
        else throw new Error(`bad escape \\${e} in label value: ${line}`);
      } else v += c;
    }
    labels[name] = v;
    i++;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`expected , or } at ${i}: ${line}`);
  }
  return { labels, rest: s.slice(i + 1) };
}

/** The family a sample name belongs to (a histogram's series carry suffixes). */
function familyOf(name: string, families: Map<string, Family>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && families.get(base)?.type === 'histogram') return base;
  }
  return name;
}

export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the last line must end with a line feed');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: string | undefined;
  const enter = (name: string) => {
    if (current !== name) {
      if (closed.has(name)) throw new Error(`the lines of ${name} are not together`);
      if (current !== undefined) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) { f = { name, samples: [] }; families.set(name, f); }
    return f;
  };
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name!) || NAME.exec(name!)![0] !== name) throw new Error(`bad metric name: ${line}`);
      const f = enter(name!);
      if (f.samples.length > 0) throw new Error(`${kind} of ${name} after its samples`);
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new Error(`second HELP of ${name}`);
        f.help = unescapeHelp(rest, line);
      } else {
        if (f.type !== undefined) throw new Error(`second TYPE of ${name}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`bad type: ${line}`);
        f.type = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`bad sample: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || fields.length < 1 || fields.length > 2) throw new Error(`bad sample: ${line}`);
    enter(familyOf(name, families)).samples.push({ name, labels, value: parseValue(fields[0]!, line) });
  }
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());

function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: Array<{ le: number; n: number }>; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const k = key(s.labels);
    let x = series.get(k);
    if (!x) { x = { buckets: [] }; series.set(k, x); }
    if (s.name === `${f.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${f.name}_bucket without le`);
      x.buckets.push({ le: parseValue(s.labels.le, s.labels.le), n: s.value });
    } else if (s.name === `${f.name}_count`) x.count = s.value;
    else if (s.name === `${f.name}_sum`) x.sum = s.value;
    else throw new Error(`${s.name} in histogram ${f.name}`);
  }
  for (const [k, x] of series) {
    const b = x.buckets;
    if (b.length === 0 || b[b.length - 1]!.le !== Infinity) throw new Error(`${f.name}${k}: the last bucket must be le="+Inf"`);
    for (let i = 1; i < b.length; i++) {
      if (!(b[i]!.le > b[i - 1]!.le)) throw new Error(`${f.name}${k}: le must increase`);
      if (b[i]!.n < b[i - 1]!.n) throw new Error(`${f.name}${k}: buckets must be cumulative`);
    }
    if (x.count === undefined || x.sum === undefined) throw new Error(`${f.name}${k}: _sum and _count are required`);
    if (x.count !== b[b.length - 1]!.n) throw new Error(`${f.name}${k}: the +Inf bucket must equal _count`);
  }
}

/** The value of the sample `name` whose labels include `labels` (summed over the rest), 0 when none. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const f of families.values()) {
    for (const s of f.samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** Scrapes `url` (a /metrics address) and parses it; fails on a wrong status or content type. */
export async function scrape(url: string): Promise<Map<string, Family>> {
  const r = await fetch(url);
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status}`);
  const type = r.headers.get('content-type') ?? '';
  if (!/^text\/plain; version=0\.0\.4/.test(type)) throw new Error(`${url}: content type ${type}`);
  return parseExposition(await r.text());
}
