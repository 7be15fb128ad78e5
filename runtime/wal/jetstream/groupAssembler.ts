/**
 * Rejoins chunked groups read from a jetstream WAL stream, in stream order (pure).
 *
 * A group is released only when finishedGroup.ts says its last chunk finishes it
 * (the same rule lastPosition uses). A group that never finishes — its writer died
 * between two chunks — is followed by a fence or by another group; it is dropped
 * then, so a torn group is never half-read (the hypercore "unfinished batch" rule).
 */
import type { WalRecord } from '../../ports/walBackend.js';
import { continuesGroup, finishesGroup } from './finishedGroup.js';
import { decodeGroupBody, FrameKind, type Frame } from './frame.js';

export class GroupAssembler {
  private parts: Uint8Array[] = [];
  /** Chunk 0 of the group being rejoined. */
  private head: Frame | undefined;
  private size = 0;

  /** Feeds the next frame in stream order; returns the records of a group it finishes. */
  push(f: Frame): WalRecord[] {
    if (f.kind === FrameKind.Fence) { this.drop(); return []; }
    if (f.chunk === 0) {
      this.drop();
      if (f.last) return finishesGroup(f, f) ? records(f, f.body) : [];
      this.head = f;
      this.parts = [f.body];
      this.size = f.body.length;
      return [];
    }
    const head = this.head;
    // A chunk that does not continue the open group follows a torn group we never saw begin.
    if (!head || !continuesGroup(head, this.parts.length, f)) { this.drop(); return []; }
    this.parts.push(f.body);
    this.size += f.body.length;
    if (!f.last) return [];
    const body = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) { body.set(p, at); at += p.length; }
    this.drop();
    return finishesGroup(head, f) ? records(head, body) : [];
  }

  private drop(): void {
    this.head = undefined;
    this.parts = [];
    this.size = 0;
  }
}

function records(head: Frame, body: Uint8Array): WalRecord[] {
  return decodeGroupBody(head, body).map((e, i) => ({ position: head.position + i, tso: e.tso, payload: e.payload }));
}
