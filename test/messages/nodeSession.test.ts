import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeSession, encodeSession } from '../../messages/nodeSession.js';

test('a session value carries its node id and incarnation, and reads back', () => {
  assert.equal(decodeSession(encodeSession({ nodeId: 'query-node-1', incarnation: 'a1' })), { nodeId: 'query-node-1', incarnation: 'a1' });
});

test('a bare node id (a node from before incarnations) is its own incarnation; no value is no session', () => {
  assert.equal(decodeSession(new TextEncoder().encode('query-node-1')), { nodeId: 'query-node-1', incarnation: 'query-node-1' });
  assert.equal(decodeSession(new TextEncoder().encode('{"nodeId":"x"}')), { nodeId: '{"nodeId":"x"}', incarnation: '{"nodeId":"x"}' });
  assert.is(decodeSession(undefined), undefined);
});

test('two processes of one node differ only by incarnation', () => {
  const a = decodeSession(encodeSession({ nodeId: 'n', incarnation: '1' }))!, b = decodeSession(encodeSession({ nodeId: 'n', incarnation: '2' }))!;
  assert.is(a.nodeId, b.nodeId);
  assert.is.not(a.incarnation, b.incarnation);
});

test.run();
