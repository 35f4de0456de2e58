import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import type { Storage } from '@kpress/storage';

/** A streamed multipart upload of text written line by line (lib-storage, 5 MiB parts, 2 in flight). */
export class TextUpload {
  private readonly body = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  /** Bytes written so far. */
  bytes = 0;

  constructor(storage: Storage, bucket: string, key: string, contentType: string) {
    this.upload = new Upload({
      client: storage.client,
      params: { Bucket: bucket, Key: key, Body: this.body, ContentType: contentType },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
    });
    this.done = this.upload.done();
    // surfaced by finish(); keep it from being an unhandled rejection meanwhile
    this.done.catch(() => {});
  }

  async write(text: string): Promise<void> {
    this.bytes += Buffer.byteLength(text, 'utf8');
    if (!this.body.write(text)) await once(this.body, 'drain');
  }

  async finish(): Promise<void> {
    this.body.end();
    await this.done;
  }

  async abort(): Promise<void> {
    this.body.destroy();
    await this.upload.abort().catch(() => {});
  }
}
