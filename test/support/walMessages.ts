import { newMessage, tsoOf, type AnyMessage, type Bodies, type MessageType } from '../../messages/types.js';

/**
 * Durable messages of one vchannel for fold tests: each stamped with a TSO at
 * `ms` and the next WAL position (`reset` starts the positions again).
 */
export function walMessages(vchannel: string) {
  let pos = 0;
  return {
    msg<T extends MessageType>(type: T, ms: number, body: Bodies[T], txn?: number): AnyMessage {
      const m = newMessage(type, vchannel, body, txn === undefined ? undefined : { id: txn });
      m.header.tso = tsoOf(ms);
      m.header.walPosition = pos++;
      return m as AnyMessage;
    },
    reset(): void { pos = 0; },
  };
}
