import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccessCache } from '../../runtime/http/auth/accessCache.js';
import { credentialsOf } from '../../runtime/http/auth/credentials.js';
import { ENDPOINTS } from '../../runtime/http/gateway.js';
import { MAPPED_ENDPOINTS, requirementOf } from '../../runtime/http/routePrivileges.js';
import { NuthatchError } from '../../messages/errors.js';
import type { Access } from '../../messages/rpc/rbac.js';

/** The gateway's auth pieces without a server: header parsing, the credential cache, the endpoint -> privilege map. */

const code = (f: () => unknown) => { try { f(); return 'ok'; } catch (e) { return e instanceof NuthatchError ? e.code : String(e); } };

test('Authorization: Bearer user:password (Milvus token form) or Basic; the password may hold colons', () => {
  assert.equal(credentialsOf('Bearer root:Milvus'), { user: 'root', password: 'Milvus' });
  assert.equal(credentialsOf('bearer alice:a:b:c'), { user: 'alice', password: 'a:b:c' });
  assert.equal(credentialsOf(`Basic ${Buffer.from('bob:pw pw').toString('base64')}`), { user: 'bob', password: 'pw pw' });
  for (const bad of [undefined, '', 'Bearer', 'Bearer nocolon', 'Bearer :pw', 'Token a:b']) assert.is(code(() => credentialsOf(bad)), 'Unauthenticated', String(bad));
});

test('the cache answers only for the same password, until its time is up or it is told to forget', () => {
  let now = 1000;
  const c = new AccessCache(500, () => now);
  const access: Access = { user: 'alice', superuser: false, roles: ['public'], grants: [] };
  c.set('alice', 'pw-one', access);
  assert.is(c.get('alice', 'pw-one'), access);
  assert.is(c.get('alice', 'pw-two'), undefined, 'another password is verified again');
  assert.is(c.get('bob', 'pw-one'), undefined);
  now += 499;
  assert.is(c.get('alice', 'pw-one'), access);
  now += 1;
  assert.is(c.get('alice', 'pw-one'), undefined, 'expired');
  c.set('alice', 'pw-one', access);
  c.forget();
  assert.is(c.get('alice', 'pw-one'), undefined, 'forgotten');
});

test('every endpoint the gateway serves needs a named privilege (or, mapped null, only authentication)', () => {
  const missing = ENDPOINTS.filter((e) => !MAPPED_ENDPOINTS.includes(e));
  assert.equal(missing, [], `endpoints with no privilege: ${missing.join(', ')}`);
  assert.equal(requirementOf('/v2/vectordb/entities/search', { collectionName: 'books' }), { privilege: 'Search', objectType: 'Collection', objectName: 'books', dbName: 'default' });
  assert.equal(requirementOf('/v2/vectordb/collections/create', { collectionName: 'x', dbName: 'db2' }), { privilege: 'CreateCollection', objectType: 'Global', objectName: '*', dbName: 'db2' });
  assert.equal(requirementOf('/v2/vectordb/users/update_password', { userName: 'alice' }), { privilege: 'UpdateUser', objectType: 'User', objectName: 'alice', dbName: 'default' });
  assert.is(requirementOf('/v2/vectordb/collections/get_compaction_state', {}), null);
  assert.equal(requirementOf('/v2/vectordb/entities/search', { collectionName: 7 }), { privilege: 'Search', objectType: 'Collection', objectName: '', dbName: 'default' }, 'a malformed name matches only * grants');
  assert.is(requirementOf('/v2/vectordb/future/thing', {})!.privilege, 'All', 'an unmapped endpoint is for admins only');
});

test.run();
