export * from './errors.js';
export * from './schema.js';
export * from './types.js';
export * from './codec.js';
export * from './valueCodec.js';
export * from './binary.js';
