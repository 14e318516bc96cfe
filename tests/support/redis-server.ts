import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A private redis-server for one test file, on a free port of 127.0.0.1, without
 * persistence: the test may stop it, flush it or kill it without touching the machine's
 * Redis (which other test runs share). Needs `redis-server` on the PATH (CI installs it).
 */
export interface PrivateRedis {
  port: number;
  /** `redis://127.0.0.1:<port>` for REDIS_URL. */
  url: string;
  /** A client for the test's own checks (closed by close()). */
  client(): Redis;
  /** Kills the server as a crash would (its data is gone: no persistence). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** Kills the server and disconnects the test's clients: for afterAll. */
  close(): Promise<void>;
  readonly running: boolean;
}

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async (): Promise<void> => {
    if (child) return;
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}) ${stderr}`))),
    );
    exited.catch(() => undefined);
    child = started;
    started.once('exit', () => {
      if (child === started) child = undefined;
    });
    await Promise.race([waitForPing(port, 10_000), exited]);
  };

  const stop = async (): Promise<void> => {
    const running = child;
    if (!running) return;
    const gone = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    // SIGKILL: Redis vanishes as after a crash; nothing is saved anyway.
    running.kill('SIGKILL');
    await gone;
    child = undefined;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client() {
      const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
      redis.on('error', () => undefined);
      clients.push(redis);
      return redis;
    },
    stop,
    start,
    async close() {
      for (const redis of clients.splice(0)) redis.disconnect();
      await stop();
    },
    get running() {
      return child !== undefined;
    },
  };
}
