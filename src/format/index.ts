export * from './keys.js';
export * from './checksum.js';
export * from './version.js';
export * from './marker.js';
export * from './commit-record.js';
export * from './page-map.js';
export * from './checkpoint.js';
export * from './retention.js';
