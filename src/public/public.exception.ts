import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

/**
 * Refusals of the public board. Messages are for citizens (Chinese, then English) and say
 * nothing about the case behind a notice.
 */
export enum PublicExceptionCode {
  NOTICE_NOT_FOUND = 'NOTICE_NOT_FOUND',
  INVALID_QUERY = 'INVALID_QUERY',
  FORM_TOKEN_INVALID = 'FORM_TOKEN_INVALID',
  FORM_TOKEN_TOO_EARLY = 'FORM_TOKEN_TOO_EARLY',
  FORM_TOKEN_EXPIRED = 'FORM_TOKEN_EXPIRED',
  FORM_TOKEN_USED = 'FORM_TOKEN_USED',
  SUBMISSION_REFUSED = 'SUBMISSION_REFUSED',
  TOO_MANY_OBJECTIONS = 'TOO_MANY_OBJECTIONS',
}

const STATUS: Record<PublicExceptionCode, HttpStatus> = {
  [PublicExceptionCode.NOTICE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [PublicExceptionCode.INVALID_QUERY]: HttpStatus.BAD_REQUEST,
  [PublicExceptionCode.FORM_TOKEN_INVALID]: HttpStatus.BAD_REQUEST,
  [PublicExceptionCode.FORM_TOKEN_TOO_EARLY]: HttpStatus.BAD_REQUEST,
  [PublicExceptionCode.FORM_TOKEN_EXPIRED]: HttpStatus.BAD_REQUEST,
  [PublicExceptionCode.FORM_TOKEN_USED]: HttpStatus.CONFLICT,
  [PublicExceptionCode.SUBMISSION_REFUSED]: HttpStatus.BAD_REQUEST,
  [PublicExceptionCode.TOO_MANY_OBJECTIONS]: HttpStatus.TOO_MANY_REQUESTS,
};

export class PublicException extends CodedException(STATUS) {}

export function noticeNotFound(): PublicException {
  return new PublicException('没有这条公示 / No such notice', PublicExceptionCode.NOTICE_NOT_FOUND);
}
