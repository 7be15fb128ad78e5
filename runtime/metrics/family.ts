import { checkBuckets, Counter, Gauge, Histogram } from './instruments.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** What names a family: identical definitions share one family, a differing one is refused. */
export interface FamilyDefinition {
  name: string;
  help: string;
  /** Label names, in the order `labels()` takes their values. */
  labels?: readonly string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Child = Counter | Gauge | Histogram;

/**
 * One metric: a name, its help, its type and label names, and a child per label
 * set seen. Children are found through a tree of maps keyed by each label value,
 * so resolving one builds no string.
 */
export class MetricFamily<C extends Child = Child> {
  readonly labelNames: readonly string[];
  /** Children in the order they were made, with their label values (the exposition's order). */
  readonly children: Array<{ values: readonly string[]; child: C }> = [];
  private readonly tree = new Map<string, unknown>();
  private single?: C;

  constructor(readonly type: MetricType, readonly name: string, readonly help: string, labels: readonly string[], private readonly make: () => C, readonly bounds?: readonly number[]) {
    if (!METRIC_NAME.test(name)) throw new RangeError(`'${name}' is not a valid metric name`);
    if (type === 'counter' && !name.endsWith('_total')) throw new RangeError(`counter '${name}' must end in _total`);
    for (const l of labels) {
      if (!LABEL_NAME.test(l) || l.startsWith('__')) throw new RangeError(`'${l}' is not a valid label name (metric ${name})`);
      if (type === 'histogram' && l === 'le') throw new RangeError(`histogram '${name}' may not use the label le`);
    }
    if (new Set(labels).size !== labels.length) throw new RangeError(`metric ${name} repeats a label name`);
    if (bounds) checkBuckets(bounds);
    this.labelNames = [...labels];
    // A family without labels has its one sample from the start, so it shows (as 0) before any update.
    if (labels.length === 0) this.single = this.add([]);
  }

  /** The child for these label values (one per label name, in order), made on first use. */
  labels(...values: string[]): C {
    if (this.single) return this.single;
    const n = this.labelNames.length;
    if (values.length !== n) throw new RangeError(`metric ${this.name} takes ${n} label values (${this.labelNames.join(', ')}), got ${values.length}`);
    let node = this.tree;
    for (let i = 0; i < n - 1; i++) {
      let next = node.get(values[i]!) as Map<string, unknown> | undefined;
      if (!next) { next = new Map(); node.set(values[i]!, next); }
      node = next;
    }
    let child = node.get(values[n - 1]!) as C | undefined;
    if (!child) { child = this.add(values); node.set(values[n - 1]!, child); }
    return child;
  }

  /** True when `type`, help, labels and buckets are the same as this family's. */
  sameAs(type: MetricType, help: string, labels: readonly string[], bounds?: readonly number[]): boolean {
    return type === this.type && help === this.help && labels.join('\n') === this.labelNames.join('\n') && (bounds ?? []).join() === (this.bounds ?? []).join();
  }

  private add(values: readonly string[]): C {
    if (values.some((v) => typeof v !== 'string')) throw new TypeError(`label values of ${this.name} must be strings`);
    const child = this.make();
    this.children.push({ values: [...values], child });
    return child;
  }
}

export const newCounter = () => new Counter();
export const newGauge = () => new Gauge();
export const newHistogram = (bounds: readonly number[]) => () => new Histogram(bounds);
