import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { samplePath } from '@kpress/testkit';
import pMap from 'p-map';
import sharp from 'sharp';

const SAMPLES = ['astronaut.jpg', 'chelsea.png', 'coffee.jpg'];
const GRAVITIES = [
  'centre',
  'north',
  'south',
  'east',
  'west',
  'northeast',
  'northwest',
  'southeast',
  'southwest',
];

/**
 * `count` distinct ~0.25 MP photos (600 x 420 JPEGs) made from the sample
 * images: different crops (after an enlargement), mirrors and JPEG qualities.
 */
export async function* photoVariants(
  count: number,
): AsyncGenerator<{ name: string; body: Buffer }> {
  for (let i = 0; i < count; i++) {
    const sample = SAMPLES[i % SAMPLES.length] as string;
    const gravity = GRAVITIES[Math.floor(i / SAMPLES.length) % GRAVITIES.length] as string;
    const scale = 1 + (Math.floor(i / (SAMPLES.length * GRAVITIES.length)) % 6) * 0.15;
    const mirror = Math.floor(i / (SAMPLES.length * GRAVITIES.length * 6)) % 2 === 1;
    let img = sharp(samplePath(sample)).resize(Math.round(600 * scale), Math.round(420 * scale), {
      fit: 'cover',
    });
    img = sharp(await img.toBuffer()).resize(600, 420, { fit: 'cover', position: gravity });
    if (mirror) img = img.flop();
    const body = await img.jpeg({ quality: 80 + (i % 15) }).toBuffer();
    yield { name: `photo-${String(i).padStart(5, '0')}.jpg`, body };
  }
}

/**
 * Relative keys of `count` tiny objects, spread over `folders` folders
 * (`dir-000/` ...) as a dataset of classes is; 1 keeps them flat.
 */
export function tinyRels(count: number, folders = 1): string[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `obj-${String(i).padStart(6, '0')}.bin`;
    return folders > 1 ? `dir-${String(i % folders).padStart(3, '0')}/${name}` : name;
  });
}

/** Uploads the tiny objects `rels` (a few bytes each) under `prefix`, 64 at once. */
export async function uploadTiny(
  client: S3Client,
  bucket: string,
  prefix: string,
  rels: readonly string[],
): Promise<void> {
  await pMap(
    rels,
    async (rel) => {
      const key = prefix + rel;
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(key) }));
    },
    { concurrency: 64 },
  );
}

/** Makes and uploads `count` photos under `prefix`, 8 at once; returns their total bytes. */
export async function uploadPhotos(
  client: S3Client,
  bucket: string,
  prefix: string,
  count: number,
): Promise<number> {
  let bytes = 0;
  const pending: Promise<void>[] = [];
  for await (const p of photoVariants(count)) {
    bytes += p.body.byteLength;
    pending.push(
      client
        .send(new PutObjectCommand({ Bucket: bucket, Key: prefix + p.name, Body: p.body }))
        .then(() => undefined),
    );
    if (pending.length >= 8) await pending.shift();
  }
  await Promise.all(pending);
  return bytes;
}
