export { type DeflateBackend, deflateBackend, MAX_LEVEL, zlibCompress } from './backend.js';
