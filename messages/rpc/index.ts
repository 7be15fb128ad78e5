export * from './protocol.js';
export * from './records.js';
export * from './coordinator.js';
export * from './streamingNode.js';
export * from './workers.js';
