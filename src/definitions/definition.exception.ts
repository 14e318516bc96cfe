import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';

export enum DefinitionExceptionCode {
  INVALID_DEFINITION = 'INVALID_DEFINITION',
  VERSION_CHANGED = 'VERSION_CHANGED',
  WORKFLOW_NOT_FOUND = 'WORKFLOW_NOT_FOUND',
}

export class DefinitionException extends AppException<DefinitionExceptionCode> {}

export function workflowNotFound(key: string): DefinitionException {
  return new DefinitionException(`Workflow '${key}' does not exist`, DefinitionExceptionCode.WORKFLOW_NOT_FOUND, HttpStatus.NOT_FOUND, { workflow: key });
}
