import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';

export enum TaskExceptionCode {
  TASK_NOT_FOUND = 'TASK_NOT_FOUND',
  TASK_CLOSED = 'TASK_CLOSED',
  TASK_CLAIMED_BY_OTHER = 'TASK_CLAIMED_BY_OTHER',
  NOT_ELIGIBLE = 'NOT_ELIGIBLE',
  TARGET_NOT_ELIGIBLE = 'TARGET_NOT_ELIGIBLE',
  NOTHING_TO_SIGN = 'NOTHING_TO_SIGN',
  NOT_ASSIGNEE = 'NOT_ASSIGNEE',
  USER_NOT_FOUND = 'USER_NOT_FOUND',
  NOT_ALLOWED_BY_DEFINITION = 'NOT_ALLOWED_BY_DEFINITION',
  ALREADY_DELEGATED = 'ALREADY_DELEGATED',
  NOT_DELEGATED = 'NOT_DELEGATED',
  ALREADY_SIGNER = 'ALREADY_SIGNER',
  NOT_A_SIGNER = 'NOT_A_SIGNER',
  AWAITING_SIGNERS = 'AWAITING_SIGNERS',
  COUNTERSIGN_TASK = 'COUNTERSIGN_TASK',
  ALREADY_VOTED = 'ALREADY_VOTED',
  WITHDRAW_NOT_ALLOWED = 'WITHDRAW_NOT_ALLOWED',
}

const STATUS: Record<TaskExceptionCode, HttpStatus> = {
  [TaskExceptionCode.TASK_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [TaskExceptionCode.TASK_CLOSED]: HttpStatus.CONFLICT,
  [TaskExceptionCode.TASK_CLAIMED_BY_OTHER]: HttpStatus.CONFLICT,
  [TaskExceptionCode.NOT_ELIGIBLE]: HttpStatus.FORBIDDEN,
  [TaskExceptionCode.TARGET_NOT_ELIGIBLE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TaskExceptionCode.NOTHING_TO_SIGN]: HttpStatus.CONFLICT,
  [TaskExceptionCode.NOT_ASSIGNEE]: HttpStatus.FORBIDDEN,
  [TaskExceptionCode.USER_NOT_FOUND]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TaskExceptionCode.NOT_ALLOWED_BY_DEFINITION]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TaskExceptionCode.ALREADY_DELEGATED]: HttpStatus.CONFLICT,
  [TaskExceptionCode.NOT_DELEGATED]: HttpStatus.CONFLICT,
  [TaskExceptionCode.ALREADY_SIGNER]: HttpStatus.CONFLICT,
  [TaskExceptionCode.NOT_A_SIGNER]: HttpStatus.FORBIDDEN,
  [TaskExceptionCode.AWAITING_SIGNERS]: HttpStatus.CONFLICT,
  [TaskExceptionCode.COUNTERSIGN_TASK]: HttpStatus.UNPROCESSABLE_ENTITY,
  [TaskExceptionCode.ALREADY_VOTED]: HttpStatus.CONFLICT,
  [TaskExceptionCode.WITHDRAW_NOT_ALLOWED]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export class TaskException extends AppException<TaskExceptionCode> {
  constructor(message: string, code: TaskExceptionCode, details: Record<string, unknown> = {}) {
    super(message, code, STATUS[code], details);
  }
}
