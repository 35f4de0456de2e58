export { crc32, crc32Table } from './crc32.js';
export {
  hasPngSignature,
  PNG_SIGNATURE,
  type PngChunkView,
  pngChunk,
  pngChunks,
} from './chunks.js';
