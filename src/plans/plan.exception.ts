import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum PlanExceptionCode {
  INVALID_YEAR = 'INVALID_YEAR',
  INVALID_TARGETS = 'INVALID_TARGETS',
  CITY_ADMINISTRATORS_ONLY = 'CITY_ADMINISTRATORS_ONLY',
}

const STATUS: Record<PlanExceptionCode, HttpStatus> = {
  [PlanExceptionCode.INVALID_YEAR]: HttpStatus.BAD_REQUEST,
  [PlanExceptionCode.INVALID_TARGETS]: HttpStatus.UNPROCESSABLE_ENTITY,
  [PlanExceptionCode.CITY_ADMINISTRATORS_ONLY]: HttpStatus.FORBIDDEN,
};

export class PlanException extends CodedException(STATUS) {}
