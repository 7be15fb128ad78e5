/**
 * Hedged reads: a read sent to a pchannel's delegators (a queue group) that has
 * not answered after a few times the usual read latency is sent once more, and
 * the first answer wins. A delegator that died holding a request never answers
 * it (the bus drops it with the connection); the second copy goes to a live one
 * at once, instead of waiting until the coordinator notices the death. Reads are
 * idempotent, so the only cost is a duplicate read when one is merely slow.
 */
export class Hedger {
  private typicalMs = 0;

  constructor(private readonly minMs = 300, private readonly factor = 4) {}

  /** How long a read may take before it is sent again. */
  delay(): number { return Math.max(this.minMs, this.factor * this.typicalMs); }

  run<T>(call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const started = Date.now();
      let pending = 0, done = false;
      const finish = () => { done = true; clearTimeout(timer); };
      const send = () => {
        pending++;
        call().then((v) => {
          if (done) return;
          finish();
          const ms = Date.now() - started;
          this.typicalMs = this.typicalMs === 0 ? ms : 0.8 * this.typicalMs + 0.2 * ms;
          resolve(v);
        }, (e) => { if (--pending === 0 && !done) { finish(); reject(e); } });
      };
      const timer = setTimeout(() => { if (!done) send(); }, this.delay());
      timer.unref();
      send();
    });
  }
}
