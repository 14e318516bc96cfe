import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum DisasterExceptionCode {
  INVALID_DISASTER = 'INVALID_DISASTER',
  DISASTER_NOT_FOUND = 'DISASTER_NOT_FOUND',
}

const STATUS: Record<DisasterExceptionCode, HttpStatus> = {
  [DisasterExceptionCode.INVALID_DISASTER]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DisasterExceptionCode.DISASTER_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class DisasterException extends CodedException(STATUS) {}
