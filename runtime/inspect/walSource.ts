/**
 * Reads a WAL for replay: the records of one pchannel decoded into messages, a
 * record that fails to decode passed on as such (replay reports it, the CLI
 * does not crash), and the pchannels a local WAL directory holds.
 */
import { readdir } from 'node:fs/promises';
import { decodeMessage } from '../../messages/codec.js';
import type { WalBackend, WalPosition } from '../ports/walBackend.js';
import type { ReplayInput } from './replay.js';

/** The pchannels of a local WAL root (one directory each), in name order; [] when the root is missing. */
export async function localPchannels(walRoot: string): Promise<string[]> {
  const entries = await readdir(walRoot, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries.filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

/** A pchannel's records from its first readable position up to (excluding) `to`, decoded. */
export async function* readForReplay(backend: WalBackend, pchannel: string, to?: WalPosition): AsyncGenerator<ReplayInput> {
  const from = await backend.firstPosition(pchannel);
  for await (const batch of backend.read(pchannel, from, to)) {
    for (const r of batch) {
      try {
        yield decodeMessage(r.payload, r.position);
      } catch (e) {
        yield { undecodable: (e as Error).message, position: r.position, tso: r.tso };
      }
    }
  }
}

/** Reads a whole pchannel into memory (tests and the inspector's replay view). */
export async function readAllForReplay(backend: WalBackend, pchannel: string, to?: WalPosition): Promise<ReplayInput[]> {
  const out: ReplayInput[] = [];
  for await (const x of readForReplay(backend, pchannel, to)) out.push(x);
  return out;
}
