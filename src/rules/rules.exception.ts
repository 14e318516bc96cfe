import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum RulesExceptionCode {
  RULES_NOT_FOUND = 'RULES_NOT_FOUND',
  CITY_ADMINISTRATOR_ONLY = 'CITY_ADMINISTRATOR_ONLY',
  INVALID_RULES = 'INVALID_RULES',
}

const STATUS: Record<RulesExceptionCode, HttpStatus> = {
  [RulesExceptionCode.RULES_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [RulesExceptionCode.CITY_ADMINISTRATOR_ONLY]: HttpStatus.FORBIDDEN,
  [RulesExceptionCode.INVALID_RULES]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export class RulesException extends CodedException(STATUS) {}
