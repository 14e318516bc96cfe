import type { ApiErrorBody, TokenPair } from './types';

/** An answer other than 2xx, with the API's error body ({statusCode, error, message, details}). */
export class ApiError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;

  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = body.statusCode;
    this.body = body;
  }

  /** `details.code`, the stable code to branch on (e.g. VERSION_CONFLICT, GUARD_FAILED). */
  get code(): string | undefined {
    return typeof this.body.details?.code === 'string' ? this.body.details.code : undefined;
  }

  /** Seconds from the `Retry-After` header of a 429 (or 503), when the API sent one. */
  retryAfter?: number;
}

/** Where the tokens live between page loads. */
export interface TokenStore {
  get(): TokenPair | null;
  set(tokens: TokenPair | null): void;
}

const STORAGE_KEY = 'fupin-flow.tokens';

/** The browser's localStorage: a reload keeps the session; logging out clears it. */
export const localTokenStore: TokenStore = {
  get() {
    try {
      const text = localStorage.getItem(STORAGE_KEY);
      return text ? (JSON.parse(text) as TokenPair) : null;
    } catch {
      return null;
    }
  },
  set(tokens) {
    if (tokens) localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    else localStorage.removeItem(STORAGE_KEY);
  },
};

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Send the access token (default true); login, refresh and the public board do not. */
  auth?: boolean;
  /** A multipart body (an upload); sent as is, the browser sets its content type. */
  form?: FormData;
  /** Give the answer's text as it came (a file: a JSON export must keep its own layout). */
  text?: boolean;
}

export interface ApiClientOptions {
  store: TokenStore;
  /** Called when the session ended: the refresh token was refused (expired, revoked). */
  onSignedOut?: () => void;
  fetch?: typeof fetch;
  baseUrl?: string;
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * A small typed client of the REST API. An answer 401 to an authenticated call is retried
 * once after exchanging the refresh token for a new pair (one exchange at a time, shared
 * by the calls that were waiting); when that fails too the session is over.
 */
export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const baseUrl = options.baseUrl ?? '';
  let refreshing: Promise<boolean> | null = null;

  async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const tokens = options.store.get();
    if (opts.auth !== false && tokens) headers.authorization = `Bearer ${tokens.accessToken}`;
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(opts.query ?? {})) if (value !== undefined && value !== '') query.set(key, String(value));
    const url = `${baseUrl}${path}${query.size > 0 ? `?${query}` : ''}`;
    try {
      const body = opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      return await doFetch(url, { method, headers, body });
    } catch (error) {
      throw new ApiError({ statusCode: 0, error: 'Network Error', message: error instanceof Error ? error.message : String(error), details: { code: 'NETWORK_ERROR' } });
    }
  }

  async function refresh(): Promise<boolean> {
    const tokens = options.store.get();
    if (!tokens) return false;
    refreshing ??= (async () => {
      try {
        const response = await send('POST', '/api/auth/refresh', { body: { refreshToken: tokens.refreshToken }, auth: false });
        if (!response.ok) return false;
        options.store.set((await response.json()) as TokenPair);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /** The answer, after one refresh-and-retry on 401 for an authenticated call. */
  async function respond(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const response = await send(method, path, opts);
    if (response.status === 401 && opts.auth !== false && options.store.get()) {
      if (await refresh()) return send(method, path, opts);
      options.store.set(null);
      options.onSignedOut?.();
    }
    return response;
  }

  function failure(response: Response, parsed: unknown): ApiError {
    const error = new ApiError(errorBody(response, parsed));
    const retryAfter = Number(response.headers?.get('retry-after'));
    if (Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfter = retryAfter;
    return error;
  }

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const response = await respond(method, path, opts);
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) throw failure(response, parsed);
    return (opts.text ? text : parsed) as T;
  }

  /** A file download (a link cannot carry the access token): the bytes, or the API's error. */
  async function blob(path: string): Promise<Blob> {
    const response = await respond('GET', path, {});
    if (!response.ok) {
      const text = await response.text();
      throw failure(response, text ? safeJson(text) : undefined);
    }
    return response.blob();
  }

  return {
    request,
    get: <T>(path: string, query?: RequestOptions['query']) => request<T>('GET', path, { query }),
    post: <T>(path: string, body?: unknown, headers?: Record<string, string>) => request<T>('POST', path, { body: body ?? {}, headers }),
    put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
    patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
    upload: <T>(path: string, form: FormData) => request<T>('POST', path, { form }),
    blob,
    /** Unauthenticated calls (the public notice board): no token, no refresh. */
    publicGet: <T>(path: string, query?: RequestOptions['query']) => request<T>('GET', path, { query, auth: false }),
    publicPost: <T>(path: string, body: unknown) => request<T>('POST', path, { body, auth: false }),
    /** A file's text (an export, a diagram), never parsed. */
    getText: (path: string, query?: RequestOptions['query']) => request<string>('GET', path, { query, text: true }),
    /** Logs in and keeps the tokens. */
    async login(username: string, password: string): Promise<void> {
      const tokens = await request<TokenPair>('POST', '/api/auth/login', { body: { username, password }, auth: false });
      options.store.set(tokens);
    },
    logout(): void {
      options.store.set(null);
    },
    get signedIn(): boolean {
      return options.store.get() !== null;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The API's error body, or one made up in its shape for an answer without it (a proxy's 502). */
function errorBody(response: Response, parsed: unknown): ApiErrorBody {
  if (parsed && typeof parsed === 'object' && 'statusCode' in parsed && 'message' in parsed) {
    const body = parsed as ApiErrorBody;
    return { ...body, message: Array.isArray(body.message) ? body.message.join('; ') : String(body.message) };
  }
  return { statusCode: response.status, error: response.statusText || 'Error', message: typeof parsed === 'string' && parsed ? parsed.slice(0, 200) : response.statusText };
}
