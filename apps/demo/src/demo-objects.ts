import { type FixtureBody, SAMPLES_DIR } from '@kpress/testkit';
import { join } from 'node:path';

/** The bucket the demo creates in its own S3 server. */
export const DEMO_BUCKET = 'kpress-demo';
/** Where the demo's sources go, and where the outputs and the batch files go. */
export const DEMO_SOURCE = `s3://${DEMO_BUCKET}/samples/`;
export const DEMO_DEST = `s3://${DEMO_BUCKET}/compressed/`;

/** The bundled sample images, by name under the source prefix. */
export const SAMPLE_NAMES = [
  'astronaut.jpg',
  'astronaut.png',
  'chelsea.png',
  'coffee.jpg',
  'coffee.png',
  'broken-truncated.jpg',
] as const;

/** A text file named like an image: shows how what kpress does not compress becomes a `copied` row. */
export const NOT_AN_IMAGE = 'notes-not-an-image.jpg';

/**
 * The objects the demo uploads (name relative to the source prefix -> body):
 * the samples (one of them a truncated JPEG) and one text file named like an image.
 */
export function demoObjects(samplesDir: string = SAMPLES_DIR): Record<string, FixtureBody> {
  const objects: Record<string, FixtureBody> = {};
  for (const name of SAMPLE_NAMES) objects[name] = { path: join(samplesDir, name) };
  objects[NOT_AN_IMAGE] =
    'These are notes, not a JPEG: kpress copies them byte for byte as a copied row.\n';
  return objects;
}
