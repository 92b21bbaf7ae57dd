export * from './api.js';
export { importDatabase, importFromFile, importFromObject, type ImportOptions } from './import.js';
