import { resolve } from 'node:path';
import { Test } from '@nestjs/testing';
import {
  ConfigValidationError,
  DEV_CORS_ORIGINS,
  DEV_IDEMPOTENCY_SECRET,
  DEV_JWT_REFRESH_SECRET,
  DEV_JWT_SECRET,
  DEV_PUBLIC_BOARD_SECRET,
  DEV_RESIDENT_ID_KEY,
  loadAppConfig,
} from '../../src/config/app-config.js';
import { ConfigModule } from '../../src/config/config.module.js';

const STRONG_SECRET = 'a-production-secret-that-is-long-enough-0123456789';
const STRONG_REFRESH_SECRET = 'another-production-secret-for-refresh-tokens-9876';
/** 32 bytes in base64, not the development default. */
const PRODUCTION_ID_KEY = Buffer.alloc(32, 7).toString('base64');
const STRONG_BOARD_SECRET = 'a-third-production-secret-for-the-notice-board-42';
const STRONG_IDEMPOTENCY_SECRET = 'a-fourth-production-secret-for-the-request-hashes';
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: STRONG_SECRET,
  JWT_REFRESH_SECRET: STRONG_REFRESH_SECRET,
  RESIDENT_ID_KEY: PRODUCTION_ID_KEY,
  PUBLIC_BOARD_SECRET: STRONG_BOARD_SECRET,
  IDEMPOTENCY_SECRET: STRONG_IDEMPOTENCY_SECRET,
};

describe('app configuration', () => {
  it('uses the documented defaults', () => {
    expect(loadAppConfig({})).toEqual({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/fupin_flow',
      redisUrl: 'redis://127.0.0.1:6379',
      jwtSecret: DEV_JWT_SECRET,
      jwtExpiresIn: '15m',
      jwtExpiresInSeconds: 900,
      jwtRefreshSecret: DEV_JWT_REFRESH_SECRET,
      jwtRefreshExpiresIn: '7d',
      jwtRefreshExpiresInSeconds: 7 * 86400,
      corsOrigins: [...DEV_CORS_ORIGINS],
      smtpUrl: 'smtp://127.0.0.1:1025',
      mailFrom: 'fupin-flow <noreply@fupin-flow.local>',
      bodyLimit: '256kb',
      residentIdKey: DEV_RESIDENT_ID_KEY,
      idempotencySecret: DEV_IDEMPOTENCY_SECRET,
      loginLimit: { maxPerAccount: 10, maxPerAddress: 30, windowMs: 60_000, keyPrefix: 'fupin-login:fupin_flow' },
      publicBoard: { secret: DEV_PUBLIC_BOARD_SECRET, maxObjectionsPerAddress: 10, objectionWindowMs: 3_600_000, keyPrefix: 'fupin-public:fupin_flow' },
      trustProxy: false,
      attachments: { store: 'local', dir: 'storage/attachments', maxBytes: 10 * 1024 * 1024, s3: null },
      webDist: resolve('web/dist'),
      delivery: expect.objectContaining({
        runWorker: true, // development runs the worker inside the API process
        bullmqPrefix: 'fupin',
        schedulerIntervalMs: 5000,
        deadlineHorizonMs: 86_400_000,
        reconcileIntervalMs: 300_000,
        outboxIntervalMs: 1000,
        outboxAttempts: 5,
        dailyDigestCron: '0 8 * * *',
      }),
    });
    expect(loadAppConfig(PRODUCTION).delivery.runWorker).toBe(false);
    expect(loadAppConfig(PRODUCTION).corsOrigins).toEqual([]); // no cross-origin calls unless configured
  });

  it('refuses to start in production with the default, a short or a shared refresh-token secret', () => {
    expect(() => loadAppConfig({ ...PRODUCTION, JWT_REFRESH_SECRET: undefined })).toThrow(/JWT_REFRESH_SECRET must be set in production/);
    expect(() => loadAppConfig({ ...PRODUCTION, JWT_REFRESH_SECRET: 'short' })).toThrow(/JWT_REFRESH_SECRET must be at least 32/);
    expect(() => loadAppConfig({ ...PRODUCTION, JWT_REFRESH_SECRET: STRONG_SECRET })).toThrow(/JWT_REFRESH_SECRET must differ from JWT_SECRET/);
    expect(loadAppConfig(PRODUCTION).jwtRefreshSecret).toBe(STRONG_REFRESH_SECRET);
  });

  it('refuses to start in production with the default or a short notice-board secret', () => {
    expect(() => loadAppConfig({ ...PRODUCTION, PUBLIC_BOARD_SECRET: undefined })).toThrow(/PUBLIC_BOARD_SECRET must be set in production/);
    expect(() => loadAppConfig({ ...PRODUCTION, PUBLIC_BOARD_SECRET: 'short' })).toThrow(/PUBLIC_BOARD_SECRET must be at least 32/);
    expect(loadAppConfig(PRODUCTION).publicBoard.secret).toBe(STRONG_BOARD_SECRET);
    expect(loadAppConfig({ PUBLIC_OBJECTIONS_MAX_PER_ADDRESS: '3', PUBLIC_LIMIT_PREFIX: 'board-test' }).publicBoard).toEqual({
      secret: DEV_PUBLIC_BOARD_SECRET,
      maxObjectionsPerAddress: 3,
      objectionWindowMs: 3_600_000,
      keyPrefix: 'board-test',
    });
    expect(() => loadAppConfig({ PUBLIC_OBJECTIONS_MAX_PER_ADDRESS: '0' })).toThrow(/PUBLIC_OBJECTIONS_MAX_PER_ADDRESS must be an integer/);
  });

  it('refuses to start in production with the default or a short idempotency secret', () => {
    expect(() => loadAppConfig({ ...PRODUCTION, IDEMPOTENCY_SECRET: undefined })).toThrow(/IDEMPOTENCY_SECRET must be set in production/);
    expect(() => loadAppConfig({ ...PRODUCTION, IDEMPOTENCY_SECRET: 'short' })).toThrow(/IDEMPOTENCY_SECRET must be at least 32/);
    expect(loadAppConfig(PRODUCTION).idempotencySecret).toBe(STRONG_IDEMPOTENCY_SECRET);
    expect(loadAppConfig({ NODE_ENV: 'test' }).idempotencySecret).toBe(DEV_IDEMPOTENCY_SECRET);
  });

  it('keeps attachments in a local directory by default and in an S3-compatible bucket when configured completely', () => {
    const s3 = { ATTACHMENT_STORE: 's3', S3_ENDPOINT: 'http://minio:9000/', S3_BUCKET: 'fupin-attachments', S3_ACCESS_KEY_ID: 'key', S3_SECRET_ACCESS_KEY: 'secret' };
    expect(loadAppConfig({ ...s3, ATTACHMENT_MAX_BYTES: '5000000' }).attachments).toEqual({
      store: 's3',
      dir: 'storage/attachments',
      maxBytes: 5_000_000,
      s3: { endpoint: 'http://minio:9000', bucket: 'fupin-attachments', region: 'us-east-1', accessKeyId: 'key', secretAccessKey: 'secret' },
    });
    expect(() => loadAppConfig({ ...s3, S3_BUCKET: '' })).toThrow(/ATTACHMENT_STORE=s3 needs S3_BUCKET/);
    expect(() => loadAppConfig({ ATTACHMENT_STORE: 'ftp' })).toThrow(/ATTACHMENT_STORE must be local or s3/);
    expect(() => loadAppConfig({ ATTACHMENT_MAX_BYTES: '0' })).toThrow(/ATTACHMENT_MAX_BYTES must be an integer/);
  });

  it('reads the refresh-token lifetime, which must outlast the access token', () => {
    expect(loadAppConfig({ JWT_REFRESH_EXPIRES_IN: '12h' }).jwtRefreshExpiresInSeconds).toBe(43_200);
    expect(() => loadAppConfig({ JWT_REFRESH_EXPIRES_IN: 'never' })).toThrow(/JWT_REFRESH_EXPIRES_IN must be a positive duration/);
    expect(() => loadAppConfig({ JWT_EXPIRES_IN: '1h', JWT_REFRESH_EXPIRES_IN: '30m' })).toThrow(/must be longer than JWT_EXPIRES_IN/);
  });

  it('reads CORS origins as a comma-separated list of origins and refuses anything else', () => {
    expect(loadAppConfig({ CORS_ORIGINS: 'https://fupin.example.gov.cn, http://localhost:8080' }).corsOrigins).toEqual([
      'https://fupin.example.gov.cn',
      'http://localhost:8080',
    ]);
    expect(loadAppConfig({ ...PRODUCTION, CORS_ORIGINS: 'https://fupin.example.gov.cn' }).corsOrigins).toEqual(['https://fupin.example.gov.cn']);
    for (const bad of ['*', 'fupin.example.gov.cn', 'https://fupin.example.gov.cn/app', 'ftp://example.org']) {
      expect(() => loadAppConfig({ CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
    }
  });

  it('refuses to start in production with the default JWT secret', () => {
    expect(() => loadAppConfig({ NODE_ENV: 'production' })).toThrow(ConfigValidationError);
    expect(() => loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET })).toThrow(/JWT_SECRET/);
  });

  it('refuses a short JWT secret in production and accepts a strong one', () => {
    expect(() => loadAppConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    expect(loadAppConfig(PRODUCTION).jwtSecret).toBe(STRONG_SECRET);
  });

  it('refuses to start in production with the default resident-ID key', () => {
    expect(() => loadAppConfig({ ...PRODUCTION, RESIDENT_ID_KEY: undefined })).toThrow(/RESIDENT_ID_KEY must be set in production/);
    expect(() => loadAppConfig({ ...PRODUCTION, RESIDENT_ID_KEY: DEV_RESIDENT_ID_KEY })).toThrow(ConfigValidationError);
    expect(loadAppConfig(PRODUCTION).residentIdKey).toBe(PRODUCTION_ID_KEY);
    // outside production the public default is fine
    expect(loadAppConfig({ NODE_ENV: 'test' }).residentIdKey).toBe(DEV_RESIDENT_ID_KEY);
  });

  it('refuses a resident-ID key that is not 32 bytes of base64', () => {
    for (const key of [Buffer.alloc(16, 1).toString('base64'), Buffer.alloc(33, 1).toString('base64'), 'not base64 at all!', Buffer.alloc(32, 1).toString('hex')]) {
      expect(() => loadAppConfig({ RESIDENT_ID_KEY: key })).toThrow(/RESIDENT_ID_KEY must be 32 bytes in base64/);
    }
    expect(loadAppConfig({ RESIDENT_ID_KEY: PRODUCTION_ID_KEY }).residentIdKey).toBe(PRODUCTION_ID_KEY);
  });

  it('lists every invalid variable at once', () => {
    let error: unknown;
    try {
      loadAppConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', JWT_EXPIRES_IN: 'soon', BODY_LIMIT: 'big' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems.map((p) => p.split(' ')[0])).toEqual([
      'PORT',
      'DATABASE_URL',
      'JWT_EXPIRES_IN',
      'BODY_LIMIT',
    ]);
  });

  it('takes a From address with or without a display name, and refuses anything else', () => {
    expect(loadAppConfig({ MAIL_FROM: '江门市扶贫办 <fupin@jiangmen.gov.cn>' }).mailFrom).toBe('江门市扶贫办 <fupin@jiangmen.gov.cn>');
    expect(loadAppConfig({ MAIL_FROM: 'fupin@jiangmen.gov.cn' }).mailFrom).toBe('fupin@jiangmen.gov.cn');
    expect(() => loadAppConfig({ MAIL_FROM: 'not an address' })).toThrow(/MAIL_FROM/);
  });

  it('reads durations in seconds, minutes, hours and days', () => {
    expect(loadAppConfig({ JWT_EXPIRES_IN: '900' }).jwtExpiresInSeconds).toBe(900);
    expect(loadAppConfig({ JWT_EXPIRES_IN: '30m' }).jwtExpiresInSeconds).toBe(1800);
    expect(loadAppConfig({ JWT_EXPIRES_IN: '1d' }).jwtExpiresInSeconds).toBe(86400);
  });

  it('stops the Nest application from starting in production with the default secret', async () => {
    const saved = { NODE_ENV: process.env.NODE_ENV, JWT_SECRET: process.env.JWT_SECRET };
    process.env.NODE_ENV = 'production';
    delete process.env.JWT_SECRET;
    try {
      await expect(Test.createTestingModule({ imports: [ConfigModule] }).compile()).rejects.toThrow(/JWT_SECRET/);
    } finally {
      process.env.NODE_ENV = saved.NODE_ENV;
      if (saved.JWT_SECRET === undefined) delete process.env.JWT_SECRET;
      else process.env.JWT_SECRET = saved.JWT_SECRET;
    }
  });
});
