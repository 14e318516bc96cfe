import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum HouseholdExceptionCode {
  HOUSEHOLD_NOT_FOUND = 'HOUSEHOLD_NOT_FOUND',
  MEMBER_NOT_FOUND = 'MEMBER_NOT_FOUND',
  ATTACHMENT_NOT_FOUND = 'ATTACHMENT_NOT_FOUND',
  READ_ONLY_ACCESS = 'READ_ONLY_ACCESS',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  INVALID_VILLAGE = 'INVALID_VILLAGE',
  INVALID_RESIDENT_ID = 'INVALID_RESIDENT_ID',
  DUPLICATE_RESIDENT_ID = 'DUPLICATE_RESIDENT_ID',
  INVALID_HOUSEHOLD = 'INVALID_HOUSEHOLD',
  NOTHING_TO_CHANGE = 'NOTHING_TO_CHANGE',
  WORKFLOW_NOT_ALLOWED = 'WORKFLOW_NOT_ALLOWED',
  CASE_ALREADY_OPEN = 'CASE_ALREADY_OPEN',
  RULES_NOT_FOUND = 'RULES_NOT_FOUND',
  ATTACHMENT_TOO_LARGE = 'ATTACHMENT_TOO_LARGE',
  ATTACHMENT_TYPE_NOT_ALLOWED = 'ATTACHMENT_TYPE_NOT_ALLOWED',
  ATTACHMENT_MISSING = 'ATTACHMENT_MISSING',
  INVALID_QUERY = 'INVALID_QUERY',
  OUTSIDE_JURISDICTION = 'OUTSIDE_JURISDICTION',
}

const STATUS: Record<HouseholdExceptionCode, HttpStatus> = {
  [HouseholdExceptionCode.HOUSEHOLD_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HouseholdExceptionCode.MEMBER_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HouseholdExceptionCode.ATTACHMENT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HouseholdExceptionCode.READ_ONLY_ACCESS]: HttpStatus.FORBIDDEN,
  [HouseholdExceptionCode.VERSION_CONFLICT]: HttpStatus.CONFLICT,
  [HouseholdExceptionCode.INVALID_VILLAGE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [HouseholdExceptionCode.INVALID_RESIDENT_ID]: HttpStatus.BAD_REQUEST,
  [HouseholdExceptionCode.DUPLICATE_RESIDENT_ID]: HttpStatus.CONFLICT,
  [HouseholdExceptionCode.INVALID_HOUSEHOLD]: HttpStatus.UNPROCESSABLE_ENTITY,
  [HouseholdExceptionCode.NOTHING_TO_CHANGE]: HttpStatus.BAD_REQUEST,
  [HouseholdExceptionCode.WORKFLOW_NOT_ALLOWED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [HouseholdExceptionCode.CASE_ALREADY_OPEN]: HttpStatus.CONFLICT,
  [HouseholdExceptionCode.RULES_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [HouseholdExceptionCode.ATTACHMENT_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [HouseholdExceptionCode.ATTACHMENT_TYPE_NOT_ALLOWED]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [HouseholdExceptionCode.ATTACHMENT_MISSING]: HttpStatus.BAD_REQUEST,
  [HouseholdExceptionCode.INVALID_QUERY]: HttpStatus.BAD_REQUEST,
  [HouseholdExceptionCode.OUTSIDE_JURISDICTION]: HttpStatus.FORBIDDEN,
};

export class HouseholdException extends CodedException(STATUS) {}

/** Out of the caller's jurisdiction looks exactly like not existing. */
export function householdNotFound(id: string): HouseholdException {
  return new HouseholdException(`Household ${id} was not found`, HouseholdExceptionCode.HOUSEHOLD_NOT_FOUND, { householdId: id });
}
