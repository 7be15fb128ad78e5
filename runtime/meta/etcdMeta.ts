/**
 * The etcd metadata store adapter (etcd3 client). Compare-and-swap is a
 * transaction on the key's mod revision (create revision 0 = absent); leases are
 * kept alive by the client and `lost` resolves when keep-alive fails; elections
 * use etcd3's Election (keys under `election/<name>/`).
 *
 * Watches start right after the newest revision this client has seen in any
 * response, so "list, then watch" misses nothing in between, and a watcher that
 * is still connecting does not miss a write that follows the watch() call. A
 * client that has seen nothing yet starts at the revision it read when created,
 * and its own writes wait until such a watch knows where it starts.
 */
import { Etcd3, type Lease as EtcdLease, type IKeyValue } from 'etcd3';
import { Observable } from 'rxjs';
import { NuthatchError } from '../../messages/errors.js';
import { staleFence, type Fence } from '../../messages/fence.js';
import type { Lease, MetaEntry, MetaEvent, MetaStore } from '../ports/metaStore.js';
import { mapEtcdError } from './etcdErrors.js';

export interface EtcdMetaOptions {
  /** One or more client URLs, e.g. `http://127.0.0.1:2379`. */
  hosts: string | string[];
  /** Milliseconds to wait for a connection (default 5 s). */
  dialTimeoutMs?: number;
}

/** Whole seconds, as etcd wants; etcd itself raises TTLs below its minimum (~2 s by default). */
const ttlSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

class EtcdMetaLease implements Lease {
  readonly lost: Promise<void>;
  constructor(readonly id: string, readonly inner: EtcdLease, private readonly forget: (l: EtcdMetaLease) => void) {
    this.lost = new Promise((resolve) => inner.on('lost', () => { forget(this); resolve(); }));
  }
  async revoke(): Promise<void> {
    this.forget(this);
    try { await this.inner.revoke(); } catch (e) { throw mapEtcdError(e, `revoke lease ${this.id}`); }
  }
}

/** A MetaStore on etcd. */
export class EtcdMeta implements MetaStore {
  /** The newest store revision seen in a response: where a new watch starts. */
  private seen = 0;
  /** The revision read when this client was created. */
  private readonly initialRevision: Promise<number>;
  /** Watches still learning their start revision: this client's writes wait for them. */
  private readonly settingUp = new Set<Promise<unknown>>();
  private readonly leases = new Set<EtcdMetaLease>();
  private readonly campaigns = new Set<{ resign(): Promise<void> }>();
  private closed = false;

  /** The etcd3 client, for layers that need etcd itself. */
  readonly client: Etcd3;

  /** Connects and reads the current revision (fails with 'Unavailable' if etcd does not answer). */
  static async connect(opts: EtcdMetaOptions): Promise<EtcdMeta> {
    const m = new EtcdMeta(opts);
    try {
      await m.initialRevision;
    } catch (e) {
      m.client.close();
      throw e;
    }
    return m;
  }

  /** A client that connects lazily; prefer `EtcdMeta.connect`. */
  constructor(opts: EtcdMetaOptions) {
    this.client = new Etcd3({ hosts: opts.hosts, dialTimeout: opts.dialTimeoutMs ?? 5_000 });
    this.initialRevision = this.call('read revision', () => this.client.get('\0').exec()).then((r) => Number(r.header.revision));
    this.initialRevision.catch(() => undefined);
  }

  async get(key: string): Promise<MetaEntry | undefined> {
    const r = await this.call(`get ${key}`, () => this.client.get(key).exec());
    const kv = r.kvs[0];
    return kv && toEntry(kv);
  }

  async list(prefix: string): Promise<MetaEntry[]> {
    const r = await this.call(`list ${prefix}`, () => this.client.getAll().prefix(prefix).sort('Key', 'Ascend').exec());
    return r.kvs.map(toEntry);
  }

  async put(key: string, value: Uint8Array, opts: { lease?: Lease; fence?: Fence } = {}): Promise<number> {
    await this.beforeWrite();
    const f = opts.fence;
    if (f) {
      const r = await this.call(`put ${key}`, () => this.client.if(f.key, 'Mod', '==', f.revision).then(this.putOp(key, value, opts.lease)).commit());
      if (!r.succeeded) throw staleFence(f, await this.get(f.key).then((e) => e?.modRevision));
      return Number(r.header.revision);
    }
    const r = await this.call(`put ${key}`, () => this.putOp(key, value, opts.lease).exec());
    return Number(r.header.revision);
  }

  async compareAndSwap(key: string, expectedRevision: number, value: Uint8Array, opts: { lease?: Lease } = {}): Promise<number | undefined> {
    await this.beforeWrite();
    const r = await this.call(`compareAndSwap ${key}`, () => {
      const cmp = expectedRevision === 0 ? this.client.if(key, 'Create', '==', 0) : this.client.if(key, 'Mod', '==', expectedRevision);
      return cmp.then(this.putOp(key, value, opts.lease)).commit();
    });
    return r.succeeded ? Number(r.header.revision) : undefined;
  }

  async delete(key: string, opts: { fence?: Fence } = {}): Promise<void> {
    await this.beforeWrite();
    const f = opts.fence;
    if (f) {
      const r = await this.call(`delete ${key}`, () => this.client.if(f.key, 'Mod', '==', f.revision).then(this.client.delete().key(key)).commit());
      if (!r.succeeded) throw staleFence(f, await this.get(f.key).then((e) => e?.modRevision));
      return;
    }
    await this.call(`delete ${key}`, () => this.client.delete().key(key).exec());
  }

  watch(prefix: string): Observable<MetaEvent> {
    return new Observable<MetaEvent>((sub) => {
      let cancelled = false;
      let stop: (() => void) | undefined;
      const start = this.watchStart();
      this.settingUp.add(start);
      const done = (): void => { this.settingUp.delete(start); };
      start.then(done, done);
      start.then((rev) => this.client.watch().prefix(prefix).startRevision(String(rev)).create()).then((w) => {
        stop = () => { void w.cancel().catch(() => undefined); };
        if (cancelled) { stop(); return; }
        w.on('put', (kv) => sub.next({ type: 'put', key: kv.key.toString(), value: new Uint8Array(kv.value), modRevision: Number(kv.mod_revision) }));
        w.on('delete', (kv) => sub.next({ type: 'delete', key: kv.key.toString(), modRevision: Number(kv.mod_revision) }));
        w.on('error', (e) => sub.error(mapEtcdError(e, `watch ${prefix}`)));
      }, (e) => sub.error(mapEtcdError(e, `watch ${prefix}`)));
      return () => { cancelled = true; stop?.(); };
    });
  }

  async grantLease(ttlMs: number): Promise<Lease> {
    if (!(ttlMs > 0)) throw new NuthatchError('InvalidArgument', `lease TTL must be positive, got ${ttlMs}`);
    const inner = this.client.lease(ttlSeconds(ttlMs), { autoKeepAlive: true });
    inner.on('lost', () => undefined); // a lease that is lost is reported through `lost`, not as an unhandled 'error'
    const id = await this.call('grant lease', () => inner.grant());
    const lease = new EtcdMetaLease(id, inner, (l) => this.leases.delete(l));
    this.leases.add(lease);
    return lease;
  }

  async campaign(name: string, candidate: string, ttlMs: number): Promise<{ resign(): Promise<void>; lost: Promise<void> }> {
    this.assertOpen();
    const c = this.client.election(name, ttlSeconds(ttlMs)).campaign(candidate);
    let resolveLost!: () => void;
    const lost = new Promise<void>((r) => { resolveLost = r; });
    let elected = false;
    c.on('error', () => { if (elected) resolveLost(); });
    try {
      await c.wait();
    } catch (e) {
      throw mapEtcdError(e, `campaign for ${name}`);
    }
    elected = true;
    const handle = {
      lost,
      resign: async () => {
        this.campaigns.delete(handle);
        try { await c.resign(); } catch (e) { throw mapEtcdError(e, `resign ${name}`); }
      },
    };
    this.campaigns.add(handle);
    return handle;
  }

  /** Resigns campaigns and revokes leases (a graceful session end, as Go's Session.Close), then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.campaigns].map((c) => c.resign()));
    await Promise.allSettled([...this.leases].map((l) => l.revoke()));
    this.client.close();
  }

  /**
   * Where a new watch starts: just after the newest revision this client has seen
   * (read now, at the call); with none seen yet, after the revision read at
   * creation (starting at revision 1 would replay the whole history).
   */
  private watchStart(): Promise<number> {
    if (this.seen > 0) return Promise.resolve(this.seen + 1);
    return this.initialRevision.catch(() => this.call('read revision', () => this.client.get('\0').exec()).then((r) => Number(r.header.revision))).then((r) => r + 1);
  }

  /** A write issued after a watch() call must land after that watch's start. */
  private async beforeWrite(): Promise<void> {
    if (this.settingUp.size > 0) await Promise.allSettled([...this.settingUp]);
  }

  private putOp(key: string, value: Uint8Array, lease: Lease | undefined) {
    const op = this.client.put(key).value(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return lease ? op.lease(lease.id) : op;
  }

  /** Runs one request, remembers the revision it saw, and maps its errors. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    let r: T;
    try { r = await fn(); } catch (e) { throw mapEtcdError(e, what); }
    const rev = Number((r as { header?: { revision?: string } })?.header?.revision ?? 0);
    if (rev > this.seen) this.seen = rev;
    return r;
  }

  private assertOpen(): void {
    if (this.closed) throw new NuthatchError('Unavailable', 'metadata store closed', { reason: 'closed' });
  }
}

function toEntry(kv: IKeyValue): MetaEntry {
  return { key: kv.key.toString(), value: new Uint8Array(kv.value), modRevision: Number(kv.mod_revision) };
}
