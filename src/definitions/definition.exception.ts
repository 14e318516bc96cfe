import { HttpStatus } from '@nestjs/common';
import { CodedException } from '../common/app-error.js';

export enum DefinitionExceptionCode {
  INVALID_DEFINITION = 'INVALID_DEFINITION',
  VERSION_CHANGED = 'VERSION_CHANGED',
  WORKFLOW_NOT_FOUND = 'WORKFLOW_NOT_FOUND',
  /** The newest version is deprecated: no new case starts on the workflow. */
  WORKFLOW_DEPRECATED = 'WORKFLOW_DEPRECATED',
  ALREADY_DEPRECATED = 'ALREADY_DEPRECATED',
  DRAFT_NOT_FOUND = 'DRAFT_NOT_FOUND',
  /** Publishing needs an error-free validation of the draft's current source. */
  DRAFT_NOT_VALIDATED = 'DRAFT_NOT_VALIDATED',
  FORMAT_NOT_AVAILABLE = 'FORMAT_NOT_AVAILABLE',
  /** A migration request that cannot be carried out at all (unknown versions or steps in the mapping). */
  INVALID_MIGRATION = 'INVALID_MIGRATION',
  /** Definitions apply to every county: only administrators bound to the city change them. */
  CITY_ADMINISTRATOR_REQUIRED = 'CITY_ADMINISTRATOR_REQUIRED',
  INVALID_WORKFLOW_KEY = 'INVALID_WORKFLOW_KEY',
  /** Restoring a version that is not deprecated. */
  NOT_DEPRECATED = 'NOT_DEPRECATED',
  /** Another migration of the workflow is queued or running: one at a time per key. */
  MIGRATION_RUNNING = 'MIGRATION_RUNNING',
  MIGRATION_NOT_FOUND = 'MIGRATION_NOT_FOUND',
  /** Redis did not take the migration's job: the run is recorded as failed, nothing moved. */
  QUEUE_UNAVAILABLE = 'QUEUE_UNAVAILABLE',
}

const STATUS: Record<DefinitionExceptionCode, HttpStatus> = {
  [DefinitionExceptionCode.INVALID_DEFINITION]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DefinitionExceptionCode.VERSION_CHANGED]: HttpStatus.CONFLICT,
  [DefinitionExceptionCode.WORKFLOW_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DefinitionExceptionCode.WORKFLOW_DEPRECATED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DefinitionExceptionCode.ALREADY_DEPRECATED]: HttpStatus.CONFLICT,
  [DefinitionExceptionCode.DRAFT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DefinitionExceptionCode.DRAFT_NOT_VALIDATED]: HttpStatus.CONFLICT,
  [DefinitionExceptionCode.FORMAT_NOT_AVAILABLE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DefinitionExceptionCode.INVALID_MIGRATION]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DefinitionExceptionCode.CITY_ADMINISTRATOR_REQUIRED]: HttpStatus.FORBIDDEN,
  [DefinitionExceptionCode.INVALID_WORKFLOW_KEY]: HttpStatus.BAD_REQUEST,
  [DefinitionExceptionCode.NOT_DEPRECATED]: HttpStatus.CONFLICT,
  [DefinitionExceptionCode.MIGRATION_RUNNING]: HttpStatus.CONFLICT,
  [DefinitionExceptionCode.MIGRATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [DefinitionExceptionCode.QUEUE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
};

export class DefinitionException extends CodedException(STATUS) {}

export function workflowNotFound(key: string): DefinitionException {
  return new DefinitionException(`Workflow '${key}' does not exist`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND, { workflow: key });
}

export function versionNotFound(key: string, version: number): DefinitionException {
  return new DefinitionException(`Workflow '${key}' has no version ${version}`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND, { workflow: key, version });
}

export function draftNotFound(key: string): DefinitionException {
  return new DefinitionException(`Workflow '${key}' has no draft`, DefinitionExceptionCode.DRAFT_NOT_FOUND, { workflow: key });
}
