import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum UserExceptionCode {
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  DUPLICATE_USERNAME = 'DUPLICATE_USERNAME',
  JURISDICTION_OUTSIDE_SCOPE = 'JURISDICTION_OUTSIDE_SCOPE',
  UNKNOWN_JURISDICTION = 'UNKNOWN_JURISDICTION',
  RETIRED_JURISDICTION = 'RETIRED_JURISDICTION',
  SELF_LOCKOUT = 'SELF_LOCKOUT',
  WEAK_PASSWORD = 'WEAK_PASSWORD',
  NOTHING_TO_CHANGE = 'NOTHING_TO_CHANGE',
}

const STATUS: Record<UserExceptionCode, HttpStatus> = {
  [UserExceptionCode.USER_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [UserExceptionCode.DUPLICATE_USERNAME]: HttpStatus.CONFLICT,
  [UserExceptionCode.JURISDICTION_OUTSIDE_SCOPE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [UserExceptionCode.UNKNOWN_JURISDICTION]: HttpStatus.UNPROCESSABLE_ENTITY,
  [UserExceptionCode.RETIRED_JURISDICTION]: HttpStatus.UNPROCESSABLE_ENTITY,
  [UserExceptionCode.SELF_LOCKOUT]: HttpStatus.UNPROCESSABLE_ENTITY,
  [UserExceptionCode.WEAK_PASSWORD]: HttpStatus.BAD_REQUEST,
  [UserExceptionCode.NOTHING_TO_CHANGE]: HttpStatus.BAD_REQUEST,
};

/** User administration failures; the status follows from the code. */
export class UserException extends CodedException(STATUS) {}
