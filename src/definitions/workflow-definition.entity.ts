import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { WorkflowDefinition } from '../engine/workflow-definition.js';

/**
 * One published version of a workflow. Rows are never updated in place once cases
 * point at them: a case is pinned to the version it started on.
 */
@Entity({ name: 'workflow_definitions' })
@Unique('uq_workflow_definitions_key_version', ['key', 'version'])
export class WorkflowDefinitionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_workflow_definitions' })
  id!: string;

  @Column({ name: 'key', type: 'varchar', length: 64 })
  key!: string;

  @Column({ name: 'version', type: 'int' })
  version!: number;

  @Column({ name: 'label', type: 'varchar', length: 200 })
  label!: string;

  /**
   * The validated definition as JSON, whatever format it was written in. `json`, not
   * `jsonb`: json keeps the text as written, so the order the author gave steps, actions,
   * form fields and table columns survives (jsonb sorts keys by length, then bytes) and
   * forms show their fields in that order. Nothing queries inside it but `->>`.
   */
  @Column({ name: 'definition', type: 'json' })
  definition!: WorkflowDefinition;

  /** The text as submitted (YAML, JSON or BPMN XML), kept for audit and round-trips. */
  @Column({ name: 'source', type: 'text' })
  source!: string;

  @Column({ name: 'source_format', type: 'varchar', length: 8 })
  sourceFormat!: string;

  /** SHA-256 (hex) of `source`, so re-publishing the same text can be recognised. */
  @Column({ name: 'checksum', type: 'char', length: 64 })
  checksum!: string;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'published' })
  status!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
