/**
 * Builds an object WAL backend, with the stores it runs on, from a JSON spec: the
 * shape a child process or a config file can carry.
 */
import type { MetaStore } from '../../ports/metaStore.js';
import type { ObjectStore } from '../../ports/objectStore.js';
import { EmbeddedMeta } from '../../meta/embeddedMeta.js';
import { EtcdMeta } from '../../meta/etcdMeta.js';
import { LocalObjectStore } from '../../objectstore/localObjectStore.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../../objectstore/s3ObjectStore.js';
import { ObjectWalBackend, type ObjectWalConfig } from './ObjectWalBackend.js';

/** Where fragments go. */
export type ObjectStoreSpec = { kind: 'local'; root: string } | ({ kind: 's3' } & S3ObjectStoreOptions);
/** Where the index and terms go. The embedded store is one process's only. */
export type MetaStoreSpec = { kind: 'etcd'; hosts: string | string[] } | { kind: 'embedded'; dir: string };

export interface ObjectWalSpec { store: ObjectStoreSpec; meta: MetaStoreSpec; wal?: ObjectWalConfig }

export async function openObjectStore(spec: ObjectStoreSpec): Promise<ObjectStore> {
  if (spec.kind === 'local') return LocalObjectStore.open(spec.root);
  const { kind: _kind, ...opts } = spec;
  return S3ObjectStore.open(opts);
}

export async function openMetaStore(spec: MetaStoreSpec): Promise<MetaStore> {
  return spec.kind === 'etcd' ? new EtcdMeta({ hosts: spec.hosts }) : EmbeddedMeta.open(spec.dir);
}

/** Opens both stores and a backend that closes them when it closes. */
export async function createObjectWalBackend(spec: ObjectWalSpec): Promise<ObjectWalBackend> {
  const [store, meta] = await Promise.all([openObjectStore(spec.store), openMetaStore(spec.meta)]);
  return new ObjectWalBackend(store, meta, spec.wal, true);
}
