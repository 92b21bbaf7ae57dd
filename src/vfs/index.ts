export { S3liteVfs, VFS_NAME } from './s3lite-vfs.js';
export { VolumeFile } from './volume-file.js';
export type { DatabaseBackend, MainFile } from './main-file.js';
export { openBackend, type Layout } from './open-backend.js';
export type { ByteView } from './view-file.js';
