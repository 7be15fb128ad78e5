import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { afterLoadPartitions, afterReleasePartitions, partitionLoaded } from '../../actors/coordinator/core/partitionLoad.js';

const partitions = [{ id: 1, name: '_default' }, { id: 2, name: 'p1' }, { id: 3, name: 'p2' }];

test('partitionLoaded: all partitions of a loaded collection, or the ones listed; none when released', () => {
  assert.ok(partitionLoaded({ loaded: true, partitions }, 3));
  assert.ok(partitionLoaded({ loaded: true, loadedPartitions: [2], partitions }, 2));
  assert.not.ok(partitionLoaded({ loaded: true, loadedPartitions: [2], partitions }, 3));
  assert.not.ok(partitionLoaded({ loaded: false, loadedPartitions: [2], partitions }, 2));
});

test('loading partitions adds to those loaded; a wholly loaded collection stays so', () => {
  assert.equal(afterLoadPartitions({ loaded: false, partitions }, [3, 2]), { loaded: true, loadedPartitions: [2, 3] });
  assert.equal(afterLoadPartitions({ loaded: false, loadedPartitions: [1], partitions }, [2]), { loaded: true, loadedPartitions: [2] }, 'a released collection forgets what was loaded');
  assert.equal(afterLoadPartitions({ loaded: true, loadedPartitions: [1], partitions }, [2, 1]), { loaded: true, loadedPartitions: [1, 2] });
  assert.equal(afterLoadPartitions({ loaded: true, partitions }, [2]), { loaded: true });
});

test('releasing partitions leaves the rest loaded; releasing the last releases the collection', () => {
  assert.equal(afterReleasePartitions({ loaded: true, partitions }, [2]), { loaded: true, loadedPartitions: [1, 3] });
  assert.equal(afterReleasePartitions({ loaded: true, loadedPartitions: [2], partitions }, [2]), { loaded: false });
  assert.equal(afterReleasePartitions({ loaded: false, partitions }, [2]), { loaded: false });
});

test.run();
