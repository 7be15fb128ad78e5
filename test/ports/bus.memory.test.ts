/** The Bus contract against the in-process bus. */
import { MemoryBus } from '../../runtime/bus/memoryBus.js';
import { busContract } from './busContract.js';

busContract('memory', async () => {
  const bus = new MemoryBus();
  return { connect: async () => bus, dispose: () => bus.close() };
}).run();
