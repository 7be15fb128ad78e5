/**
 * The vchannel state machine: one per vchannel, fed stamped WAL messages in
 * order; accepts (next snapshot) or refuses (InvariantError naming the invariant).
 */
export { vchannelMachine, type VchannelEvent } from './machine.js';
export { initialVchannel, applyMessage, foldVchannel, type Verdict, type VchannelSnapshot } from './apply.js';
export { persistVchannel, restoreVchannel, PERSISTED_VCHANNEL_VERSION } from './persist.js';
export { vchannelView, type VchannelView, type VchannelState, type SegmentView, type TxnView } from './view.js';
export { DEFAULT_PARTITION } from './checksPartition.js';
export { CHECKS, type InvariantKey, type Rejection } from './checks.js';
export type { VchannelContext, CollectionInfo, PartitionState, SegmentState, IndexState, TxnState } from './context.js';
export { PartitionStatus, SegmentStatus, TxnStatus } from './context.js';
