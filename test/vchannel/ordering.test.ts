import { test } from 'uvu';
import { Invariant } from '../../messages/errors.js';
import { newMessage } from '../../messages/types.js';
import { given, ok } from './spec.js';
import { COLL, at, liveCollection, m } from './fixtures.js';

test("a vchannel's TSOs strictly increase in WAL order", () => {
  const live = [...liveCollection(), m.insert(10, 1)];
  given(live).when(m.delete(10)).then(Invariant.TsoMustIncrease);
  given(live).when(m.delete(9)).then(Invariant.TsoMustIncrease);
  given(live).when(m.createPartition(5, 7, 'c')).then(Invariant.TsoMustIncrease);
  given(live).when(m.delete(11)).then(ok);
});

test('an unstamped message (tso 0) is refused', () => {
  given([]).when(newMessage('CreateCollection', m.createCollection(1).header.vchannel, m.createCollection(1).body)).then(Invariant.TsoMustIncrease);
});

test("a message for another vchannel is refused, in every state", () => {
  const other = (ms: number) => at(ms, newMessage('DropCollection', 'dml_1_100v1', { collectionId: COLL }));
  given([]).when(other(1)).then(Invariant.WrongVchannel);
  given(liveCollection()).when(other(10)).then(Invariant.WrongVchannel);
  given([...liveCollection(), m.dropCollection(10)]).when(other(11)).then(Invariant.WrongVchannel);
});

test('TimeTicks address the pchannel and are refused by the vchannel machine', () => {
  given(liveCollection()).when(m.timeTick(10)).then(Invariant.WrongVchannel);
  given(liveCollection()).when(m.timeTick(10, m.delete(1).header.vchannel)).then(Invariant.WrongVchannel);
  given([]).when(m.timeTick(10)).then(Invariant.WrongVchannel);
});

test.run();
