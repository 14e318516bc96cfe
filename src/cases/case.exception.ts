import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';
import { EngineException, EngineExceptionCode } from '../engine/engine.exception.js';

export enum CaseExceptionCode {
  CASE_NOT_FOUND = 'CASE_NOT_FOUND',
  VERSION_CONFLICT = 'VERSION_CONFLICT',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  INVALID_IDEMPOTENCY_KEY = 'INVALID_IDEMPOTENCY_KEY',
  START_NOT_ALLOWED = 'START_NOT_ALLOWED',
  INVALID_JURISDICTION = 'INVALID_JURISDICTION',
  READ_ONLY_ACCESS = 'READ_ONLY_ACCESS',
}

export class CaseException extends AppException<CaseExceptionCode | EngineExceptionCode> {}

/**
 * Out of the caller's jurisdiction looks exactly like not existing, so that a case's
 * existence does not leak across counties.
 */
export function caseNotFound(id: string): CaseException {
  return new CaseException(`Case ${id} was not found`, CaseExceptionCode.CASE_NOT_FOUND, HttpStatus.NOT_FOUND);
}

/** The caller may look at the case (an auditor, a paired county) but never act on it. */
export function readOnlyAccess(id: string): CaseException {
  return new CaseException(`You may read case ${id} but not act on it`, CaseExceptionCode.READ_ONLY_ACCESS, HttpStatus.FORBIDDEN);
}

export function versionConflict(expected: number, current: number): CaseException {
  return new CaseException(
    `The case has changed since you loaded it (your version ${expected}, now ${current}); reload it to see what changed`,
    CaseExceptionCode.VERSION_CONFLICT,
    HttpStatus.CONFLICT,
    { expectedVersion: expected, currentVersion: current },
  );
}

const ENGINE_STATUS: Partial<Record<EngineExceptionCode, HttpStatus>> = {
  [EngineExceptionCode.INVALID_INPUT]: HttpStatus.BAD_REQUEST,
  [EngineExceptionCode.ROLE_NOT_ALLOWED]: HttpStatus.FORBIDDEN,
  [EngineExceptionCode.JURISDICTION_NOT_ALLOWED]: HttpStatus.FORBIDDEN,
  [EngineExceptionCode.SYSTEM_ONLY_ACTION]: HttpStatus.FORBIDDEN,
};

/** The engine's refusals in HTTP terms: bad input 400, not yours to take 403, not now 422. */
export function fromEngine(error: EngineException): CaseException {
  return new CaseException(error.message, error.code, ENGINE_STATUS[error.code] ?? HttpStatus.UNPROCESSABLE_ENTITY, error.details ?? {});
}
