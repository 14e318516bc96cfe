import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { CasesService } from '../cases/cases.service.js';
import { AppException } from '../common/app-error.js';
import type { BatchActionItemDto } from './dto/batch-action.dto.js';
import { InboxService } from './inbox.service.js';
import { TaskException, TaskExceptionCode } from './task.exception.js';

export interface BatchItemResult {
  taskId: string;
  status: number;
  caseId?: string;
  version?: number;
  error?: { code: string; message: string };
}

export interface BatchResult {
  results: BatchItemResult[];
  succeeded: number;
  failed: number;
}

/**
 * POST /api/tasks/batch: one action per task, each on its own — its own lookup and its own
 * transaction (CasesService.act) — so one stale or refused item fails alone and the others
 * go through. Items run one after the other in the order given: two tasks of one case see
 * each other's effects.
 */
@Injectable()
export class BatchActionsService {
  private readonly logger = new Logger(BatchActionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: InboxService,
    private readonly cases: CasesService,
  ) {}

  async run(user: AuthUser, items: BatchActionItemDto[]): Promise<BatchResult> {
    const seen = new Set<string>();
    const repeated = items.filter((item) => seen.size === seen.add(item.taskId.toLowerCase()).size).map((item) => item.taskId);
    if (repeated.length > 0) {
      throw new TaskException(`Each task may appear once in a batch; repeated: ${[...new Set(repeated)].join(', ')}`, TaskExceptionCode.DUPLICATE_TASK, {
        taskIds: [...new Set(repeated)],
      });
    }
    const results: BatchItemResult[] = [];
    for (const item of items) results.push(await this.one(user, item));
    const succeeded = results.filter((r) => r.status === HttpStatus.OK).length;
    return { results, succeeded, failed: results.length - succeeded };
  }

  private async one(user: AuthUser, item: BatchActionItemDto): Promise<BatchItemResult> {
    const task = await this.inbox.actionable(this.dataSource.manager, user, item.taskId);
    if (!task) {
      return { taskId: item.taskId, status: HttpStatus.NOT_FOUND, error: { code: TaskExceptionCode.TASK_NOT_FOUND, message: `Task ${item.taskId} is not an open task of yours` } };
    }
    try {
      const view = await this.cases.act(user, task.caseId, {
        action: item.action,
        step: task.step,
        data: item.data,
        comment: item.comment,
        expectedVersion: item.expectedVersion,
      });
      return { taskId: item.taskId, status: HttpStatus.OK, caseId: task.caseId, version: view.version };
    } catch (error) {
      if (error instanceof AppException) {
        return { taskId: item.taskId, status: error.status, caseId: task.caseId, error: { code: error.code, message: error.message } };
      }
      this.logger.error(`Batch item ${item.taskId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return { taskId: item.taskId, status: HttpStatus.INTERNAL_SERVER_ERROR, caseId: task.caseId, error: { code: 'INTERNAL_ERROR', message: 'The action failed unexpectedly' } };
    }
  }
}
