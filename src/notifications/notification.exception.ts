import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-error.js';

export enum NotificationExceptionCode {
  NOTIFICATION_NOT_FOUND = 'NOTIFICATION_NOT_FOUND',
  INVALID_CURSOR = 'INVALID_CURSOR',
}

const STATUS: Record<NotificationExceptionCode, HttpStatus> = {
  [NotificationExceptionCode.NOTIFICATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [NotificationExceptionCode.INVALID_CURSOR]: HttpStatus.BAD_REQUEST,
};

/** Inbox failures; the status follows from the code. */
export class NotificationException extends AppException<NotificationExceptionCode> {
  constructor(message: string, code: NotificationExceptionCode, details: Record<string, unknown> = {}) {
    super(message, code, STATUS[code], details);
  }
}

/** Someone else's notification looks exactly like a missing one, so ids do not leak. */
export function notificationNotFound(id: string): NotificationException {
  return new NotificationException(`Notification ${id} was not found`, NotificationExceptionCode.NOTIFICATION_NOT_FOUND);
}
