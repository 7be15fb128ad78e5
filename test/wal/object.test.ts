/**
 * The object WAL backend: the shared conformance suite on S3 (NUTHATCH_TEST_S3) +
 * etcd (NUTHATCH_TEST_ETCD), and on the local object store + embedded metadata
 * (no servers, no crash child: the embedded store belongs to one process). Then
 * what is specific to it: fragments a crashed writer uploaded but never committed,
 * a damaged committed fragment, a lower term's fence that lost the race, a paused
 * stale writer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite, test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MetaStore } from '../../runtime/ports/metaStore.js';
import type { ObjectStore } from '../../runtime/ports/objectStore.js';
import type { WalBackend } from '../../runtime/ports/walBackend.js';
import { openMetaStore, openObjectStore, type ObjectWalSpec } from '../../runtime/wal/object/createObjectWalBackend.js';
import { encodeFragment } from '../../runtime/wal/object/fragmentBuilder.js';
import { ObjectWalBackend } from '../../runtime/wal/object/ObjectWalBackend.js';
import { encodeJson, walKeys } from '../../runtime/wal/object/walMetadata.js';
import { requireService } from '../support/requireService.js';
import { walConformance, type WalHarness } from './conformance.js';
import { randomBytes, sameBytes } from './conformancePayload.js';
import { readAll, rejection } from './conformanceSupport.js';
import { pausedWriterCase } from './pausedWriterCase.js';

const childModule = fileURLToPath(new URL('../../runtime/wal/object/createObjectWalBackend.js', import.meta.url));

interface ObjHarness extends WalHarness { spec: ObjectWalSpec; store: ObjectStore; meta: MetaStore }

let counter = 0;

/** A harness over fresh prefixes; `shared` stores are reused by every backend it opens. */
function harnessMaker(specOf: (id: string) => ObjectWalSpec, shareMeta: boolean, after?: () => void): () => Promise<ObjHarness> {
  return async () => {
    const id = `t${process.pid}-${++counter}`;
    const spec = specOf(id);
    spec.wal = { metaPrefix: `${id}/meta`, objectPrefix: `${id}/wal`, ...spec.wal };
    const store = await openObjectStore(spec.store);
    const meta = await openMetaStore(spec.meta);
    const made: WalBackend[] = [];
    const open = async (): Promise<WalBackend> => {
      const b = shareMeta ? new ObjectWalBackend(store, meta, spec.wal) : new ObjectWalBackend(await openObjectStore(spec.store), await openMetaStore(spec.meta), spec.wal, true);
      made.push(b);
      return b;
    };
    const backend = await open();
    return {
      backend, spec, store, meta, reopen: open,
      cleanup: async () => {
        await Promise.allSettled(made.map((b) => b.close()));
        for (const o of await store.list(`${id}/`)) await store.delete(o.key);
        for (const e of await meta.list(`${id}/`)) await meta.delete(e.key);
        await Promise.allSettled([store.close(), meta.close()]);
        after?.();
      },
    };
  };
}

const storageBytes = async (h: ObjHarness, p: string): Promise<number> =>
  (await h.store.list(walKeys(h.spec.wal!.metaPrefix!, h.spec.wal!.objectPrefix!, p).objectPrefix)).reduce((n, o) => n + o.size, 0);

/** The specifics, for a harness whose backend can also run in a child process. */
function specifics(name: string, make: () => Promise<ObjHarness>): void {
  const s = suite(`object WAL specifics: ${name}`);
  const withHarness = (title: string, body: (h: ObjHarness) => Promise<void>): void => {
    s(title, async () => { const h = await make(); try { await body(h); } finally { await h.cleanup(); } });
  };

  withHarness('a fragment uploaded but never committed (or cut short) is discarded, never read', async (h) => {
    const w1 = await h.backend.openWriter('crash', 1);
    assert.equal(await w1.appendBatch([{ tso: 1n, payload: randomBytes(1, 100) }, { tso: 2n, payload: randomBytes(2, 100) }]), [0, 1]);
    // What a writer that died between PUT and commit leaves: whole, and cut short.
    const keys = walKeys(h.spec.wal!.metaPrefix!, h.spec.wal!.objectPrefix!, 'crash');
    const orphan = encodeFragment({ term: 1, first: 2 }, [{ tso: 3n, payload: randomBytes(3, 5000) }]);
    await h.store.put(keys.objectKey(2, 1, 'dead0001'), orphan);
    await h.store.put(keys.objectKey(2, 1, 'dead0002'), orphan.subarray(0, 2000));
    const other = await h.reopen();
    assert.is(await other.lastPosition('crash'), 1, 'an uncommitted fragment is not durable');
    assert.equal((await readAll(other, 'crash')).map((r) => r.position), [0, 1]);
    const w2 = await other.openWriter('crash', 2);
    assert.is(w2.lastPosition(), 1);
    const names = (await h.store.list(keys.objectPrefix)).map((o) => o.key);
    assert.not.ok(names.some((k) => k.includes('dead000')), 'the new owner deleted the orphans');
    const fresh = randomBytes(4, 64);
    assert.is(await w2.append({ tso: 4n, payload: fresh }), 2);
    const log = await readAll(h.backend, 'crash');
    assert.equal(log.map((r) => r.position), [0, 1, 2]);
    assert.ok(sameBytes(log[2]!.payload, fresh));
    assert.is((await rejection(w1.append({ tso: 9n, payload: fresh }))).code, 'Fenced');
    await w2.close();
  });

  withHarness('a committed fragment whose bytes changed is refused whole', async (h) => {
    const w = await h.backend.openWriter('rot', 1);
    await w.appendBatch([{ tso: 1n, payload: randomBytes(1, 300) }, { tso: 2n, payload: randomBytes(2, 300) }]);
    const keys = walKeys(h.spec.wal!.metaPrefix!, h.spec.wal!.objectPrefix!, 'rot');
    const [obj] = await h.store.list(keys.objectPrefix);
    const bytes = (await h.store.get(obj!.key))!;
    const bad = new Uint8Array(bytes);
    bad[bad.length - 1] ^= 0xff;
    await h.store.put(obj!.key, bad);
    const got: number[] = [];
    const err = await rejection((async () => { for await (const b of h.backend.read('rot', 0)) got.push(...b.map((r) => r.position)); })());
    assert.is(err.code, 'StorageMismatch');
    assert.equal(got, [], 'no entry of the damaged fragment was returned');
    await w.close();
  });

  withHarness('a lower term whose fence lost the race is skipped by the owner, and cannot write', async (h) => {
    const w3 = await h.backend.openWriter('race', 3);
    await w3.append({ tso: 1n, payload: randomBytes(1, 10) });
    // Term 2 raised the term key before term 3 did, but put its fence after 3's.
    const keys = walKeys(h.spec.wal!.metaPrefix!, h.spec.wal!.objectPrefix!, 'race');
    const slots = await h.meta.list(keys.slotPrefix);
    const nextSlot = slots.length;
    assert.ok(await h.meta.compareAndSwap(keys.slot(nextSlot), 0, encodeJson({ kind: 'fence', term: 2, next: 1 })) !== undefined);
    assert.is(await w3.append({ tso: 2n, payload: randomBytes(2, 10) }), 1, 'the owner steps over the stale fence');
    assert.is((await rejection(h.backend.openWriter('race', 2))).code, 'Fenced');
    assert.equal((await readAll(h.backend, 'race')).map((r) => r.position), [0, 1]);
    await w3.close();
  });

  withHarness('a stale writer paused with SIGSTOP cannot append after it resumes', async (h) => {
    await pausedWriterCase({ spec: { module: childModule, factory: 'createObjectWalBackend', config: h.spec }, backend: h.backend, pchannel: 'paused', limitMs: 60_000 });
  });

  s.run();
}

const s3 = requireService('NUTHATCH_TEST_S3', 'object WAL on S3');
const etcd = requireService('NUTHATCH_TEST_ETCD', 'object WAL on etcd');
if (s3 && etcd) {
  const make = harnessMaker(() => ({
    store: {
      kind: 's3', endpoint: s3, region: 'us-east-1', bucket: process.env.NUTHATCH_TEST_S3_BUCKET ?? 'nuthatch-test', forcePathStyle: true,
      credentials: { accessKeyId: process.env.NUTHATCH_TEST_S3_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: process.env.NUTHATCH_TEST_S3_SECRET_ACCESS_KEY ?? 'S3RVER' },
    },
    meta: { kind: 'etcd', hosts: etcd },
  }), false);
  walConformance('object (S3 + etcd)', make, {
    childSpec: (h) => ({ module: childModule, factory: 'createObjectWalBackend', config: h.spec }),
    storageBytes,
  });
  specifics('S3 + etcd', make);
} else {
  test.run();
}

// The embedded default: local files and the embedded metadata store, one process.
const dirs: string[] = [];
walConformance('object (local + embedded)', harnessMaker((id) => {
  const dir = mkdtempSync(join(tmpdir(), `nuthatch-objwal-${id}-`));
  dirs.push(dir);
  return { store: { kind: 'local', root: join(dir, 'objects') }, meta: { kind: 'embedded', dir: join(dir, 'meta') } };
}, true, () => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); }), { storageBytes });
