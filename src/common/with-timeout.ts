/**
 * How long a call to Redis may take before the caller gives up on it: a Redis that is away
 * makes ioredis queue commands (or wait for a first connection) without end, and a request or
 * a tick must answer instead.
 */
export const REDIS_CALL_TIMEOUT_MS = 10_000;

/** Rejects with `message` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  // The abandoned promise may still reject later: that must not become unhandled.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
