/** The Bus contract against NATS (NUTHATCH_TEST_NATS, started by test/support/services.ts). */
import { test } from 'uvu';
import { NatsBus } from '../../runtime/bus/natsBus.js';
import type { Bus } from '../../runtime/ports/bus.js';
import { requireService } from '../support/requireService.js';
import { busContract } from './busContract.js';

const url = requireService('NUTHATCH_TEST_NATS', 'bus contract: nats');
if (url) {
  busContract('nats', async () => {
    const open: Bus[] = [];
    return {
      connect: async () => { const b = await NatsBus.connect({ servers: url }); open.push(b); return b; },
      dispose: async () => { await Promise.all(open.map((b) => b.close())); },
    };
  }).run();
} else {
  test.run();
}
