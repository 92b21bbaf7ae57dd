export { S3liteVfs, VFS_NAME } from './s3lite-vfs.js';
export { VolumeFile } from './volume-file.js';
