export { crc32, crc32Table } from './crc32.js';
export {
  hasPngSignature,
  ihdrChunk,
  PNG_SIGNATURE,
  type PngChunkView,
  pngChunk,
  pngChunks,
} from './chunks.js';
