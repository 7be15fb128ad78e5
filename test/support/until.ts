/**
 * Waits for a condition in tests. The limit only keeps a broken test from hanging;
 * it is not a speed assertion (the machine is shared and noisy).
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Rejects-or-resolves probe: whether `p` has settled by the time the event loop turns a few times. */
export async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => { done = true; }, () => { done = true; });
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  return done;
}

/** The rejection of `p` (fails if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try { await p; } catch (e) { return e as { code?: string; message: string }; }
  throw new Error('expected a rejection, got a value');
}
