import { AwsClient } from 'aws4fetch';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig, type AttachmentsConfig } from '../config/app-config.js';

/**
 * Where the bytes of household attachments live. Keys are ours
 * (`households/<household id>/<attachment id>`, see attachmentKey), never a client's file
 * name. The database row is the index; the store only holds bytes.
 */
export abstract class AttachmentStore {
  abstract put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes, or undefined when the key holds nothing. */
  abstract get(key: string): Promise<Buffer | undefined>;
  /** Removes a key (used to clean up after a transaction that did not commit); absent keys are fine. */
  abstract delete(key: string): Promise<void>;
}

const KEY = /^households\/[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

/** Attachments are keyed by their household, so they stay with it whatever happens to its cases. */
export function attachmentKey(householdId: string, attachmentId: string): string {
  const key = `households/${householdId}/${attachmentId}`;
  if (!KEY.test(key)) throw new Error('attachment keys are made of two UUIDs');
  return key;
}

/**
 * A local directory (ATTACHMENTS_DIR). A file is written under a temporary name and
 * renamed into place, so a reader never sees half a file.
 */
export class LocalAttachmentStore extends AttachmentStore {
  private readonly root: string;

  constructor(dir: string) {
    super();
    this.root = resolve(dir);
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error('not an attachment key');
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new Error('attachment key outside the store');
    return path;
  }

  /** The content type is the database row's to keep; a file holds bytes only. */
  async put(key: string, bytes: Buffer, _contentType?: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = join(dirname(path), `.${randomUUID()}.part`);
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

/**
 * An S3-compatible bucket (AWS S3, MinIO, Aliyun OSS and Tencent COS in S3 mode …), with
 * path-style URLs (`<endpoint>/<bucket>/<key>`) and AWS Signature V4 by aws4fetch: three
 * plain HTTP calls, no SDK. `fetchImpl` is for tests.
 */
export class S3AttachmentStore extends AttachmentStore {
  private readonly client: AwsClient;

  constructor(
    private readonly config: NonNullable<AttachmentsConfig['s3']>,
    fetchImpl?: typeof fetch,
  ) {
    super();
    this.client = new AwsClient({ accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region, service: 's3' });
    if (fetchImpl) this.fetch = fetchImpl;
  }

  private readonly fetch: typeof fetch = (...args) => globalThis.fetch(...args);

  private url(key: string): string {
    if (!KEY.test(key)) throw new Error('not an attachment key');
    return `${this.config.endpoint}/${encodeURIComponent(this.config.bucket)}/${key}`;
  }

  private async send(method: string, key: string, init: { body?: Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
    const request = await this.client.sign(this.url(key), { method, body: init.body, headers: init.headers });
    return this.fetch(request);
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const response = await this.send('PUT', key, { body: bytes, headers: { 'content-type': contentType, 'content-length': String(bytes.length) } });
    if (!response.ok) throw new Error(`S3 PUT ${key}: ${response.status}`);
  }

  async get(key: string): Promise<Buffer | undefined> {
    const response = await this.send('GET', key);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`S3 GET ${key}: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    const response = await this.send('DELETE', key);
    if (!response.ok && response.status !== 404) throw new Error(`S3 DELETE ${key}: ${response.status}`);
  }
}

/** Nest provider: the store the configuration names. */
export const attachmentStoreProvider = {
  provide: AttachmentStore,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): AttachmentStore =>
    config.attachments.store === 's3' && config.attachments.s3 ? new S3AttachmentStore(config.attachments.s3) : new LocalAttachmentStore(config.attachments.dir),
};
