/**
 * s3lite: SQLite databases in S3-compatible object storage.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './store/index.js';
