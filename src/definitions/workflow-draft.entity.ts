import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { DefinitionIssue } from '../engine/definition-validator.js';

/**
 * An administrator's working copy of a workflow: at most one per key, replaced freely
 * until it is published as the next version (the row is then deleted). Its status is
 * derived, never stored: `validated` when the last validation of exactly this source found
 * no error (`validated_checksum = checksum`), `draft` otherwise.
 */
@Entity({ name: 'workflow_drafts' })
@Unique('uq_workflow_drafts_key', ['key'])
export class WorkflowDraftEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_workflow_drafts' })
  id!: string;

  @Column({ name: 'key', type: 'varchar', length: 64 })
  key!: string;

  /** The text as submitted: YAML, JSON or BPMN 2.0 XML. */
  @Column({ name: 'source', type: 'text' })
  source!: string;

  @Column({ name: 'source_format', type: 'varchar', length: 8 })
  sourceFormat!: string;

  /** SHA-256 (hex) of the format and the source: what a validation is tied to. */
  @Column({ name: 'checksum', type: 'char', length: 64 })
  checksum!: string;

  /** The checksum of the source the last error-free validation saw; null until then. */
  @Column({ name: 'validated_checksum', type: 'char', length: 64, nullable: true })
  validatedChecksum!: string | null;

  /** The issues of the validation of the current source (errors and warnings, with positions); null until it is validated. */
  @Column({ name: 'issues', type: 'jsonb', nullable: true })
  issues!: DefinitionIssue[] | null;

  @Column({ name: 'validated_at', type: 'timestamptz', nullable: true })
  validatedAt!: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy!: string | null;

  // Times from the injected Clock, never from the database: tests move time.
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
