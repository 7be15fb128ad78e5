/**
 * Frames to and from NATS message headers: the one place frame.ts meets the client.
 */
import type { MsgHdrs } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import { decodeFrame, FRAME_HEADER, type Frame, type FrameMessage } from './frame.js';

/** The headers a message is published with: its frame (publish options add the expectations). */
export function frameHeaders(m: FrameMessage): MsgHdrs {
  const h = headers();
  h.set(FRAME_HEADER, m.frame);
  return h;
}

/** The frame of a message read back (consumer message or direct get). */
export function frameOf(hdrs: MsgHdrs | undefined, data: Uint8Array): Frame {
  return decodeFrame(hdrs?.get(FRAME_HEADER), data);
}
