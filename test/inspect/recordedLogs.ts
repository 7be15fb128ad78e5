/**
 * Recorded logs (STYLE.md point 10): WAL directories committed under
 * test/fixtures/recorded-logs/<name>/wal with the replay each gave when it was
 * recorded (<name>/expected.json). recordLogs.ts writes them; the regression
 * spec replays them and compares, so a change that breaks replay of old logs
 * (codec, upcasting, machine, fold) fails.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InspectEvent } from '../../runtime/inspect/events.js';
import { toJson } from '../../runtime/inspect/json.js';
import { replayLog, type ReplayStep } from '../../runtime/inspect/replay.js';
import { localPchannels, readAllForReplay } from '../../runtime/inspect/walSource.js';
import { LocalWalBackend } from '../../runtime/wal/local/index.js';

/** The fixtures folder in the source tree (this module runs from dist/test/inspect/). */
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/recorded-logs/', import.meta.url));

function what(e: InspectEvent): string {
  switch (e.kind) {
    case 'rejected': return ` REJECTED ${e.invariant}`;
    case 'transition': return ` ${e.from}->${e.to}`;
    case 'effect': return ` ${e.what} ${e.segmentId ?? ''}`.trimEnd();
    case 'appended': return e.rows === undefined ? '' : ` rows=${e.rows}`;
    default: return '';
  }
}

/** One line per step: position, type, vchannel, verdict and what it did. */
export function stepLine(s: ReplayStep): string {
  return `${s.position} ${s.type} ${s.vchannel || '-'} ${s.verdict}${s.events.map(what).join('')}${s.error ? ` ${s.error}` : ''}`;
}

/** What a recorded log replays to: per pchannel its step lines and end state (TSOs as strings). */
export type ReplayRecord = Record<string, { steps: string[]; summary: unknown }>;

/** Replays every pchannel of `<dir>/wal` from a scratch copy (opening a WAL may tidy its directory). */
export async function replayRecorded(dir: string): Promise<ReplayRecord> {
  const scratch = await mkdtemp(join(tmpdir(), 'nuthatch-recorded-'));
  try {
    await cp(join(dir, 'wal'), scratch, { recursive: true });
    const wal = new LocalWalBackend(scratch);
    const out: ReplayRecord = {};
    try {
      for (const p of await localPchannels(scratch)) {
        const { steps, summary } = replayLog(p, await readAllForReplay(wal, p));
        out[p] = { steps: steps.map(stepLine), summary: JSON.parse(toJson(summary)) };
      }
    } finally { await wal.close(); }
    return out;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The recorded log directories (those with an expected.json). */
export async function recordedLogs(): Promise<string[]> {
  const names = await readdir(FIXTURES, { withFileTypes: true });
  const dirs = names.filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const out: string[] = [];
  for (const d of dirs) if ((await readdir(join(FIXTURES, d))).includes('expected.json')) out.push(d);
  return out;
}
