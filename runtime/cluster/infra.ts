import { NatsBus } from '../bus/natsBus.js';
import { EtcdMeta } from '../meta/etcdMeta.js';
import { S3ObjectStore } from '../objectstore/s3ObjectStore.js';
import { withRetry } from '../rpc/typedBus.js';
import type { NodeOptions } from './nodeOptions.js';

/** The distributed parts one node process talks to. Each is opened only if the role needs it. */
export interface Infra {
  bus: NatsBus;
  meta?: EtcdMeta;
  objects?: S3ObjectStore;
  close(): Promise<void>;
}

/** How long a starting node waits for NATS, etcd and S3 to answer (they may start at the same time). */
const CONNECT_DEADLINE_MS = 60_000;

/**
 * Connects to NATS, and to etcd and S3 when asked, retrying while they come up
 * (containers start in any order). The first failed attempt is logged; a wrong
 * address fails after a minute with the server's error, never hangs silently.
 */
export async function connectInfra(o: NodeOptions, need: { meta: boolean; objects: boolean }, log: (...a: unknown[]) => void): Promise<Infra> {
  const retry = <T>(what: string, fn: () => Promise<T>) => {
    // An operator sees at once what the node waits for, not a minute of silence.
    let told = false;
    const attempt = () => fn().catch((e: unknown) => {
      if (!told) { told = true; log(`waiting for ${what} (${(e as Error).message}); retrying for up to ${CONNECT_DEADLINE_MS / 1000} s`); }
      throw e;
    });
    return withRetry(attempt, { deadlineMs: CONNECT_DEADLINE_MS, maxMs: 2000 })
      .catch((e) => { throw new Error(`cannot reach ${what}: ${(e as Error).message}`); });
  };
  const bus = await retry(`NATS at ${o.nats.join(',')}`, () => NatsBus.connect({ servers: o.nats, name: o.nodeId }));
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const meta = need.meta ? await retry(`etcd at ${o.etcd.join(',')}`, () => EtcdMeta.connect({ hosts: o.etcd })) : undefined;
    if (meta) opened.push(meta);
    const objects = need.objects
      ? await retry(`S3 bucket ${o.bucket}${o.s3Endpoint ? ` at ${o.s3Endpoint}` : ''}`, () => S3ObjectStore.open({ bucket: o.bucket, endpoint: o.s3Endpoint }))
      : undefined;
    log(`connected: nats ${o.nats.join(',')}${meta ? `, etcd ${o.etcd.join(',')}` : ''}${objects ? `, s3 ${o.s3Endpoint ?? 'aws'}/${o.bucket}` : ''}`);
    return {
      bus, meta, objects,
      async close() {
        await objects?.close().catch(() => {});
        await meta?.close().catch(() => {});
        await bus.close().catch(() => {});
      },
    };
  } catch (e) {
    for (const x of opened) await x.close().catch(() => {});
    await bus.close().catch(() => {});
    throw e;
  }
}
