/**
 * Fencing across processes that share a disk, with files only.
 *
 * The truth is a set of files `term-<T>`, each created exclusively (O_EXCL) and
 * synced: the recorded term is the highest one present, so recording can never
 * lower it, whatever the interleaving of two openers. A second file, `term`, is
 * replaced (write, fsync, rename) every time a term is recorded; it is only the
 * change signal. A writer keeps `term` open and, before and after each group
 * commit, fstat()s it: a link count of 0 means it was replaced, and only then is
 * the directory listed again. That costs one fstat per commit, with no inode reuse
 * or timestamp-granularity trap, since the open descriptor pins the old inode.
 */
import { closeSync, fstatSync, openSync, readdirSync } from 'node:fs';
import { open, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NuthatchError } from '../../../messages/errors.js';
import { syncDir } from './fsUtil.js';

const TERM_FILE = /^term-(\d{10})$/;

/** The highest term in a list of file names (0 when none). */
export function highestTerm(names: readonly string[]): number {
  let max = 0;
  for (const n of names) {
    const m = TERM_FILE.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}

const fenced = (pchannel: string, mine: number, recorded: number): NuthatchError =>
  new NuthatchError('Fenced', `pchannel ${pchannel}: term ${mine} is fenced by term ${recorded}`, { pchannel, term: mine, recorded });

/** A writer's hold on its term; `check()` throws Fenced once a higher term is recorded. */
export class TermFence {
  private fd: number;
  private fencedBy = 0;

  private constructor(readonly dir: string, readonly pchannel: string, readonly term: number, fd: number) {
    this.fd = fd;
  }

  /** Records `term` for the pchannel in `dir`; fails with Fenced if a higher one is recorded. */
  static async claim(dir: string, pchannel: string, term: number): Promise<TermFence> {
    if (!Number.isSafeInteger(term) || term < 1 || term > 9_999_999_999) {
      throw new NuthatchError('InvalidArgument', `term must be an integer from 1, got ${term}`);
    }
    const before = highestTerm(await readdir(dir));
    if (before > term) throw fenced(pchannel, term, before);
    if (before < term) {
      const fh = await open(join(dir, `term-${String(term).padStart(10, '0')}`), 'wx').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EEXIST') return undefined;
        throw e;
      });
      if (fh) { await fh.writeFile(`${term}\n`); await fh.sync(); await fh.close(); }
    }
    const tmp = join(dir, `term.${process.pid}.${term}.${Math.random().toString(36).slice(2)}.tmp`);
    await writeFile(tmp, `${term}\n`, { flush: true });
    await rename(tmp, join(dir, 'term'));
    await syncDir(dir);
    // Open the signal file before the final look: any later recording replaces it.
    const fd = openSync(join(dir, 'term'), 'r');
    const recorded = highestTerm(readdirSync(dir));
    if (recorded > term) { closeSync(fd); throw fenced(pchannel, term, recorded); }
    return new TermFence(dir, pchannel, term, fd);
  }

  /** Throws Fenced if a higher term has been recorded since the claim. Cheap: one fstat. */
  check(): void {
    if (this.fencedBy > 0) throw fenced(this.pchannel, this.term, this.fencedBy);
    if (fstatSync(this.fd).nlink > 0) return;
    const fd = openSync(join(this.dir, 'term'), 'r');
    const recorded = highestTerm(readdirSync(this.dir));
    closeSync(this.fd);
    this.fd = fd;
    if (recorded > this.term) { this.fencedBy = recorded; throw fenced(this.pchannel, this.term, recorded); }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
