import { HttpStatus } from '@nestjs/common';

/**
 * Base of every domain exception. Each feature declares its own codes and its own
 * subclass (twenty's one-exception-class-per-feature style):
 *
 *   export enum AuthExceptionCode { INVALID_CREDENTIALS = 'INVALID_CREDENTIALS' }
 *   export class AuthException extends AppException<AuthExceptionCode> {}
 *   throw new AuthException('Invalid username or password', AuthExceptionCode.INVALID_CREDENTIALS, HttpStatus.UNAUTHORIZED);
 *
 * Services throw these, not Nest's HttpExceptions, so that clients can branch on a
 * stable `details.code` while `message` stays free text. The global filter renders
 * `{ statusCode, error, message, details: { code, ...details } }`.
 */
export abstract class AppException<TCode extends string = string> extends Error {
  constructor(
    message: string,
    readonly code: TCode,
    readonly status: HttpStatus = HttpStatus.BAD_REQUEST,
    /** Extra, client-safe facts (ids, limits, field names); never internals. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The base of a feature's exception whose HTTP status follows from its code alone:
 *
 *   const STATUS: Record<TaskExceptionCode, HttpStatus> = { … };
 *   export class TaskException extends CodedException(STATUS) {}
 *   throw new TaskException('…', TaskExceptionCode.TASK_CLOSED, { taskId });
 */
export function CodedException<TCode extends string>(statuses: Record<TCode, HttpStatus>) {
  return class extends AppException<TCode> {
    constructor(message: string, code: TCode, details: Record<string, unknown> = {}) {
      super(message, code, statuses[code], details);
    }
  };
}

/** Codes for errors raised by the HTTP plumbing itself rather than by a feature. */
export enum CommonExceptionCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
}

export class CommonException extends AppException<CommonExceptionCode> {}
