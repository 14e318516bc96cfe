import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum AuthExceptionCode {
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  MISSING_TOKEN = 'MISSING_TOKEN',
  INVALID_TOKEN = 'INVALID_TOKEN',
  FORBIDDEN_ROLE = 'FORBIDDEN_ROLE',
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
}

const STATUS: Record<AuthExceptionCode, HttpStatus> = {
  [AuthExceptionCode.INVALID_CREDENTIALS]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.MISSING_TOKEN]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.INVALID_TOKEN]: HttpStatus.UNAUTHORIZED,
  [AuthExceptionCode.FORBIDDEN_ROLE]: HttpStatus.FORBIDDEN,
  [AuthExceptionCode.TOO_MANY_ATTEMPTS]: HttpStatus.TOO_MANY_REQUESTS,
};

/** Authentication and role failures; the status follows from the code. */
export class AuthException extends CodedException(STATUS) {}
