import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalObjectStore } from '../objectstore/localObjectStore.js';

export const PUT_OBJECT_USAGE = `nuthatch put-object [--data-dir DIR] KEY FILE
      copies FILE into a standalone's object storage as KEY (e.g. a JSON file of rows
      for jobs/import); a cluster's S3 bucket takes files from any S3 tool`;

/** Puts a local file into the standalone's local object store (the same layout it reads). */
export async function runPutObject(args: string[], fail: (msg: string) => never): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { 'data-dir': { type: 'string', default: process.env.NUTHATCH_DATA_DIR ?? './data' } }, allowPositionals: true });
  } catch (e) {
    return fail((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) fail('put-object takes KEY and FILE');
  const [key, file] = positionals as [string, string];
  if (key.length === 0 || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.')) fail(`'${key}' is not a plain object key`);
  const store = new LocalObjectStore(join(resolve(values['data-dir']!), 'objects'));
  try {
    const bytes = await readFile(file);
    await store.put(key, bytes);
    console.log(`put ${key} (${bytes.length} bytes)`);
  } finally {
    await store.close();
  }
}
