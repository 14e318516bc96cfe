import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import type { DefinitionIssue, DefinitionValidation } from '../engine/definition-validator.js';
import { readDefinitionSource, type SourceFormat } from './definition-formats.js';
import { DefinitionException, DefinitionExceptionCode, draftNotFound } from './definition.exception.js';
import { DefinitionsService, type DraftStatus } from './definitions.service.js';

interface DraftRow {
  id: string;
  key: string;
  source: string;
  source_format: SourceFormat;
  checksum: string;
  validated_checksum: string | null;
  issues: DefinitionIssue[] | null;
  validated_at: Date | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DraftView {
  id: string;
  key: string;
  format: SourceFormat;
  source: string;
  /** `validated` when the last validation of exactly this source found no error. */
  status: DraftStatus;
  checksum: string;
  /** The issues of the validation of the current text; null until it is validated. */
  issues: DefinitionIssue[] | null;
  validatedAt: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedBy: string | null;
  updatedAt: Date;
  /** The newest stored version of the workflow; publishing the draft makes it this + 1. */
  latestVersion: number | null;
}

export interface DraftValidation {
  key: string;
  status: DraftStatus;
  valid: boolean;
  errors: number;
  warnings: number;
  issues: DefinitionIssue[];
}

const DRAFT_COLUMNS = `id, key, source, source_format, checksum, validated_checksum, issues, validated_at, created_by, updated_by, created_at, updated_at`;

/**
 * The drafts administrators edit: draft → validated → published (as the next version).
 * One draft per workflow key, replaced at will; its status follows its source — any change
 * makes it a draft again, and only an error-free validation of the current source lets it
 * be published. Every change is audited in its own transaction.
 */
@Injectable()
export class DefinitionDraftsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly definitions: DefinitionsService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Creates or replaces the draft of `key`. Nothing is validated yet: the draft is a `draft`. */
  async save(user: AuthUser, key: string, format: SourceFormat, source: string): Promise<DraftView> {
    const checksum = createHash('sha256').update(`${format}\n${source}`).digest('hex');
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      const [row]: { replaced: boolean }[] = await manager.query(
        `INSERT INTO workflow_drafts (key, source, source_format, checksum, created_by, updated_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5, $6, $6)
         ON CONFLICT (key) DO UPDATE SET source = EXCLUDED.source, source_format = EXCLUDED.source_format, checksum = EXCLUDED.checksum,
                                         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at,
                                         -- A new text has not been validated: the issues shown are always those of the current text.
                                         issues = CASE WHEN workflow_drafts.checksum = EXCLUDED.checksum THEN workflow_drafts.issues END,
                                         validated_at = CASE WHEN workflow_drafts.checksum = EXCLUDED.checksum THEN workflow_drafts.validated_at END
         RETURNING (xmax <> 0) AS replaced`,
        [key, source, format, checksum, user.id, now],
      );
      await this.audit.record(
        { kind: 'definition.draft-saved', actor: user, targetType: 'workflow', targetId: key, details: { key, format, checksum, characters: source.length, replaced: row.replaced } },
        manager,
      );
    });
    return this.get(key);
  }

  async get(key: string): Promise<DraftView> {
    const row = await this.row(this.dataSource.manager, key);
    const [{ newest }]: { newest: number | null }[] = await this.dataSource.query(`SELECT max(version) AS newest FROM workflow_definitions WHERE key = $1`, [key]);
    return {
      id: row.id,
      key: row.key,
      format: row.source_format,
      source: row.source,
      status: statusOf(row),
      checksum: row.checksum,
      issues: row.issues,
      validatedAt: row.validated_at,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
      latestVersion: newest,
    };
  }

  /**
   * Validates the draft's current source: every issue with its path, message, severity,
   * line and column (the positions `npm run workflows:validate` prints). Without an error
   * the draft becomes `validated`; with one it stays a `draft`.
   */
  async validate(user: AuthUser, key: string): Promise<DraftValidation> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.row(manager, key, true);
      const { issues } = await this.check(manager, key, row.source, row.source_format);
      const errors = issues.filter((i) => i.severity === 'error').length;
      const validated = errors === 0 ? row.checksum : null;
      await manager.query(`UPDATE workflow_drafts SET issues = $2, validated_checksum = $3, validated_at = $4 WHERE id = $1`, [
        row.id,
        JSON.stringify(issues),
        validated,
        this.clock.now(),
      ]);
      await this.audit.record(
        {
          kind: 'definition.draft-validated',
          actor: user,
          targetType: 'workflow',
          targetId: key,
          details: { key, checksum: row.checksum, errors, warnings: issues.length - errors },
        },
        manager,
      );
      return { key, status: errors === 0 ? 'validated' : 'draft', valid: errors === 0, errors, warnings: issues.length - errors, issues };
    });
  }

  /**
   * Publishes the validated draft as the workflow's next version (newest + 1, whatever
   * `version` the draft says) and deletes the draft. Refused (409) when the source changed
   * since its last error-free validation, and (422, with the issues) when it has an error
   * now — e.g. a workflow it opens was deprecated meanwhile.
   */
  async publish(user: AuthUser, key: string) {
    return this.dataSource.transaction(async (manager) => {
      // The draft's row lock serialises publishing the key.
      const row = await this.row(manager, key, true);
      if (row.validated_checksum !== row.checksum) {
        // `issues` are those of the current text (saving a new text clears them).
        throw new DefinitionException(
          row.issues === null
            ? `The draft of '${key}' has not been validated since it was last saved; validate it first`
            : `The draft of '${key}' has errors; fix them and validate it again`,
          DefinitionExceptionCode.DRAFT_NOT_VALIDATED,
          { workflow: key, ...(row.issues !== null ? { issues: row.issues } : {}) },
        );
      }
      const { definition, issues } = await this.check(manager, key, row.source, row.source_format);
      if (!definition) {
        throw new DefinitionException(`The draft of '${key}' has errors`, DefinitionExceptionCode.INVALID_DEFINITION, { workflow: key, issues });
      }
      const published = await this.definitions.publishNext(manager, { definition, source: row.source, format: row.source_format }, user, {
        draftId: row.id,
        warnings: issues.length,
      });
      await manager.query(`DELETE FROM workflow_drafts WHERE id = $1`, [row.id]);
      return { key, version: published.version, definitionId: published.id, status: 'published' as const, warnings: issues };
    });
  }

  async discard(user: AuthUser, key: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.row(manager, key, true);
      await manager.query(`DELETE FROM workflow_drafts WHERE id = $1`, [row.id]);
      await this.audit.record({ kind: 'definition.draft-discarded', actor: user, targetType: 'workflow', targetId: key, details: { key, checksum: row.checksum } }, manager);
    });
  }

  /**
   * Parses and validates a source as a definition of `key`: the key it declares must be
   * `key`; a call step or an `openCase` may name the workflows that take new cases now (a
   * call's input checked against their start forms), an `openCase` also `key` itself.
   */
  async check(manager: EntityManager, key: string, source: string, format: SourceFormat): Promise<DefinitionValidation> {
    const workflowDefinitions = await this.definitions.startableDefinitions(manager);
    workflowDefinitions.delete(key);
    return readDefinitionSource(source, format, `workflows/${key}.${format}`, { workflowDefinitions, knownWorkflows: [key], key });
  }

  /** The stored draft of `key` (its source and format). */
  async source(key: string): Promise<{ source: string; format: SourceFormat }> {
    const row = await this.row(this.dataSource.manager, key);
    return { source: row.source, format: row.source_format };
  }

  private async row(manager: EntityManager, key: string, lock = false): Promise<DraftRow> {
    const [row]: DraftRow[] = await manager.query(`SELECT ${DRAFT_COLUMNS} FROM workflow_drafts WHERE key = $1${lock ? ' FOR UPDATE' : ''}`, [key]);
    if (!row) throw draftNotFound(key);
    return row;
  }
}

function statusOf(row: Pick<DraftRow, 'checksum' | 'validated_checksum'>): DraftStatus {
  return row.validated_checksum === row.checksum ? 'validated' : 'draft';
}
