import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum AssessmentExceptionCode {
  YEAR_NOT_OVER = 'YEAR_NOT_OVER',
  CITY_ADMINISTRATORS_ONLY = 'CITY_ADMINISTRATORS_ONLY',
  QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE',
  RUN_NOT_FOUND = 'RUN_NOT_FOUND',
}

const STATUS: Record<AssessmentExceptionCode, HttpStatus> = {
  [AssessmentExceptionCode.YEAR_NOT_OVER]: HttpStatus.UNPROCESSABLE_ENTITY,
  [AssessmentExceptionCode.CITY_ADMINISTRATORS_ONLY]: HttpStatus.FORBIDDEN,
  [AssessmentExceptionCode.QUEUE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [AssessmentExceptionCode.RUN_NOT_FOUND]: HttpStatus.NOT_FOUND,
};

export class AssessmentException extends CodedException(STATUS) {}
