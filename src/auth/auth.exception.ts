import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';

export enum AuthExceptionCode {
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  MISSING_TOKEN = 'MISSING_TOKEN',
  INVALID_TOKEN = 'INVALID_TOKEN',
  FORBIDDEN_ROLE = 'FORBIDDEN_ROLE',
}

const STATUS: Record<AuthExceptionCode, HttpStatus> = {
  [AuthExceptionCode.INVALID_CREDENTIALS]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.MISSING_TOKEN]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.INVALID_TOKEN]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.FORBIDDEN_ROLE]: HttpStatus.FORBIDDEN,
};

/** Authentication and role failures; the status follows from the code. */
export class AuthException extends AppException<AuthExceptionCode> {
  constructor(message: string, code: AuthExceptionCode, details: Record<string, unknown> = {}) {
    super(message, code, STATUS[code], details);
  }
}
