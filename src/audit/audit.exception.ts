import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';

export enum AuditExceptionCode {
  INVALID_CURSOR = 'INVALID_CURSOR',
  INVALID_PERIOD = 'INVALID_PERIOD',
}

/** Refused audit-log queries (all 400). */
export class AuditException extends AppException<AuditExceptionCode> {
  constructor(message: string, code: AuditExceptionCode, details: Record<string, unknown> = {}) {
    super(message, code, HttpStatus.BAD_REQUEST, details);
  }
}
