/**
 * The Prometheus text exposition format, version 0.0.4: per family a `# HELP`
 * and a `# TYPE` line, then its samples; histograms as cumulative `_bucket`
 * series ending at `le="+Inf"`, then `_sum` and `_count`. Every line ends in \n.
 */
import type { Counter, Gauge, Histogram } from './instruments.js';
import type { MetricFamily } from './family.js';

/** The Content-Type a scraper expects for this format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** HELP text escapes backslash and line feed. */
export const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Label values escape backslash, double quote and line feed. */
export const escapeLabelValue = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A sample value as Go's ParseFloat reads it: +Inf, -Inf and NaN spelled that way. */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

function labelSet(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`);
  if (extra !== undefined) parts.push(extra);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** One family's lines; nothing for a labelled family no child of which was made yet. */
export function renderFamily(f: MetricFamily): string {
  if (f.children.length === 0) return '';
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const { values, child } of f.children) {
    if (f.type !== 'histogram') {
      out += `${f.name}${labelSet(f.labelNames, values)} ${formatValue((child as Counter | Gauge).value)}\n`;
      continue;
    }
    const h = child as Histogram;
    let cumulative = 0;
    for (let i = 0; i <= h.bounds.length; i++) {
      cumulative += h.counts[i]!;
      const le = i < h.bounds.length ? formatValue(h.bounds[i]!) : '+Inf';
      out += `${f.name}_bucket${labelSet(f.labelNames, values, `le="${le}"`)} ${cumulative}\n`;
    }
    const labels = labelSet(f.labelNames, values);
    out += `${f.name}_sum${labels} ${formatValue(h.sum)}\n${f.name}_count${labels} ${h.count}\n`;
  }
  return out;
}
