export { S3liteVfs, VFS_NAME } from './s3lite-vfs.js';
export type { MainFile } from './main-file.js';
export type { ByteView } from './view-file.js';
