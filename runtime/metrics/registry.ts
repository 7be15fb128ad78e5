import { renderFamily } from './exposition.js';
import { MetricFamily, newCounter, newGauge, newHistogram, type FamilyDefinition, type MetricType } from './family.js';
import { DURATION_BUCKETS, type Counter, type Gauge, type Histogram } from './instruments.js';

/**
 * The metrics of one process: every actor it runs registers its families here,
 * and a scrape renders them all. Pure: what is sampled at scrape time (memory,
 * uptime) comes from collectors the process wiring adds.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, MetricFamily>();
  private readonly collectors = new Set<() => void>();

  counter(d: FamilyDefinition): MetricFamily<Counter> {
    return this.family('counter', d, newCounter);
  }

  gauge(d: FamilyDefinition): MetricFamily<Gauge> {
    return this.family('gauge', d, newGauge);
  }

  /** Buckets default to DURATION_BUCKETS (seconds). */
  histogram(d: FamilyDefinition & { buckets?: readonly number[] }): MetricFamily<Histogram> {
    const bounds = d.buckets ?? DURATION_BUCKETS;
    return this.family('histogram', d, newHistogram(bounds), bounds);
  }

  /** Runs `collect` before each render (to set sampled gauges); returns how to remove it. */
  onCollect(collect: () => void): () => void {
    this.collectors.add(collect);
    return () => { this.collectors.delete(collect); };
  }

  /** Every family in the text exposition format, in the order they were registered. */
  render(): string {
    for (const c of this.collectors) c();
    let out = '';
    for (const f of this.families.values()) out += renderFamily(f);
    return out;
  }

  /**
   * The family of that name, made on first use. Actors of one kind in one process
   * (standalone, tests) share it, each with its own label values; a definition
   * that differs from the registered one is a bug and throws.
   */
  private family<C extends Counter | Gauge | Histogram>(type: MetricType, d: FamilyDefinition, make: () => C, bounds?: readonly number[]): MetricFamily<C> {
    const labels = d.labels ?? [];
    const known = this.families.get(d.name);
    if (known) {
      if (!known.sameAs(type, d.help, labels, bounds)) throw new RangeError(`metric ${d.name} is already registered with another definition`);
      return known as MetricFamily<C>;
    }
    const f = new MetricFamily<C>(type, d.name, d.help, labels, make, bounds);
    this.families.set(d.name, f);
    return f;
  }
}
