import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachmentKey, LocalAttachmentStore, S3AttachmentStore } from '../../src/households/attachment-store.js';

const HOUSEHOLD = '0b5d3c1e-8f57-4a43-9c61-2f3a1f0f4b11';
const ATTACHMENT = '7c0e2f4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b';

/**
 * The attachment stores against real I/O: the local directory, and the S3 store against a
 * small S3-like HTTP server on the loopback (it keeps objects in memory and records each
 * request, so the test sees the path-style URLs and the SigV4 headers the store sends).
 */
describe('LocalAttachmentStore', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fupin-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes under households/<household>/<attachment>, reads it back, deletes it, leaving no temporary file', async () => {
    const store = new LocalAttachmentStore(dir);
    const key = attachmentKey(HOUSEHOLD, ATTACHMENT);
    await store.put(key, Buffer.from('minutes'), 'application/pdf');
    expect(readdirSync(join(dir, 'households', HOUSEHOLD))).toEqual([ATTACHMENT]);
    expect((await store.get(key))?.toString()).toBe('minutes');
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    await store.delete(key); // absent: fine
  });

  it('refuses keys that are not its own', async () => {
    const store = new LocalAttachmentStore(dir);
    await expect(store.put('households/../../etc/passwd', Buffer.from('x'), 'text/plain')).rejects.toThrow('not an attachment key');
    expect(() => attachmentKey('../x', ATTACHMENT)).toThrow('attachment keys are made of two UUIDs');
  });
});

describe('S3AttachmentStore', () => {
  let server: Server;
  let endpoint: string;
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const seen: { method: string; url: string; authorization: string; date: string; sha: string }[] = [];

  beforeAll(async () => {
    server = createServer(async (request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      seen.push({
        method: request.method!,
        url: request.url!,
        authorization: String(request.headers.authorization ?? ''),
        date: String(request.headers['x-amz-date'] ?? ''),
        sha: String(request.headers['x-amz-content-sha256'] ?? ''),
      });
      if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        response.writeHead(403).end();
        return;
      }
      const key = request.url!;
      if (request.method === 'PUT') {
        objects.set(key, { body: Buffer.concat(chunks), contentType: String(request.headers['content-type']) });
        response.writeHead(200).end();
      } else if (request.method === 'GET') {
        const object = objects.get(key);
        if (!object) response.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
        else response.writeHead(200, { 'content-type': object.contentType }).end(object.body);
      } else if (request.method === 'DELETE') {
        objects.delete(key);
        response.writeHead(204).end();
      } else response.writeHead(405).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('puts, gets and deletes objects at <endpoint>/<bucket>/<key>, signed with SigV4', async () => {
    const store = new S3AttachmentStore({ endpoint, bucket: 'fupin-attachments', region: 'cn-south-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example' });
    const key = attachmentKey(HOUSEHOLD, ATTACHMENT);
    await store.put(key, Buffer.from('%PDF-1.4 minutes'), 'application/pdf');
    expect(objects.get(`/fupin-attachments/${key}`)).toEqual({ body: Buffer.from('%PDF-1.4 minutes'), contentType: 'application/pdf' });
    expect((await store.get(key))?.toString()).toBe('%PDF-1.4 minutes');
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      `PUT /fupin-attachments/${key}`,
      `GET /fupin-attachments/${key}`,
      `DELETE /fupin-attachments/${key}`,
      `GET /fupin-attachments/${key}`,
    ]);
    for (const request of seen) {
      expect(request.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/cn-south-1\/s3\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
      expect(request.date).toMatch(/^\d{8}T\d{6}Z$/);
      expect(request.sha).not.toBe('');
    }
  });

  it('fails loudly when the store refuses', async () => {
    const store = new S3AttachmentStore({ endpoint: `${endpoint}`, bucket: 'b-x', region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's' }, async () => new Response(null, { status: 500 }));
    await expect(store.put(attachmentKey(HOUSEHOLD, ATTACHMENT), Buffer.from('x'), 'image/png')).rejects.toThrow(`S3 PUT households/${HOUSEHOLD}/${ATTACHMENT}: 500`);
  });
});
