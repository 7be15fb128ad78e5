import type { ScanRecord } from '../../../messages/rpc/streamingNode.js';
import type { WalBackend } from '../../../runtime/ports/walBackend.js';

/** Reads a WAL range for a remote reader (data node), capped by bytes per reply. */
export async function scanWal(backend: WalBackend, pchannel: string, from: number, to: number, maxBytes: number): Promise<{ records: ScanRecord[]; next: number }> {
  const records: ScanRecord[] = [];
  let bytes = 0, next = from;
  outer: for await (const batch of backend.read(pchannel, from, to + 1)) {
    for (const r of batch) {
      if (records.length > 0 && bytes + r.payload.length > maxBytes) break outer;
      records.push({ position: r.position, tso: r.tso, payload: r.payload });
      bytes += r.payload.length;
      next = r.position + 1;
    }
  }
  return { records, next };
}
