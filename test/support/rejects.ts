import * as assert from 'uvu/assert';
import { NuthatchError } from '../../messages/errors.js';

/** Asserts that `p` rejects with an error `check` accepts. */
export async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean): Promise<void> {
  try { await p; } catch (e) { assert.ok(check(e), `unexpected error ${String(e)}`); return; }
  assert.unreachable('expected a rejection');
}

/** Asserts that `p` fails with a typed error (NuthatchError) whose message matches `says`. */
export async function refused(p: Promise<unknown>, says: RegExp): Promise<void> {
  try { await p; } catch (e) {
    assert.instance(e, NuthatchError);
    assert.match((e as Error).message, says);
    return;
  }
  assert.unreachable(`not refused (${says})`);
}
