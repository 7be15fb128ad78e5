/**
 * A read's mean latency: its answer from a first call (compared across
 * layouts by the benches), `warmups` untimed calls, then the mean of `reads`.
 */
export async function meanRead<T>(read: () => Promise<T>, reads: number, warmups = 5): Promise<{ ms: number; answer: T }> {
  const answer = await read();
  for (let i = 0; i < warmups; i++) await read();
  const t = performance.now();
  for (let i = 0; i < reads; i++) await read();
  return { ms: (performance.now() - t) / reads, answer };
}
