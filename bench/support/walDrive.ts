/**
 * The callers of the WAL benchmark: `inFlight` loops, each appending one entry
 * and awaiting it before the next, until `totalBytes` are acknowledged; each
 * append's latency is recorded. The same loops drive a backend and the caller
 * floor (walFloor.ts), so both pay the same per-call cost.
 */
export interface DriveResult { seconds: number; done: number; lat: Float64Array }

export async function driveAppends(
  append: (payload: Uint8Array, tso: bigint) => Promise<unknown>,
  entryBytes: number, inFlight: number, totalBytes: number,
): Promise<DriveResult> {
  const payload = new Uint8Array(entryBytes).fill(0xa5);
  const lat = new Float64Array(Math.ceil(totalBytes / entryBytes));
  let issued = 0;
  let done = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (issued * entryBytes < totalBytes) {
      issued++;
      const a = performance.now();
      await append(payload, BigInt(issued));
      lat[done++] = performance.now() - a;
    }
  }));
  return { seconds: (performance.now() - t0) / 1000, done, lat: lat.subarray(0, done) };
}
