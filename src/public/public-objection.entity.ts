import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, type Relation } from 'typeorm';
import { CaseEntity } from '../cases/case.entity.js';

/** What happened to an objection when it arrived. */
export const OBJECTION_OUTCOMES = [
  'pending', // only inside the filing transaction, before the case was looked at
  'review-opened', // the notice step's `object` action was taken: the case went to review
  'already-under-review', // the case had left the notice for the review an earlier objection opened
  'notice-ended', // the notice was over (or a later notice of the same case runs): stored and shown
  'refused-by-workflow', // the case was at the notice but the definition refused the action
] as const;
export type ObjectionOutcome = (typeof OBJECTION_OUTCOMES)[number];

/**
 * An objection a citizen filed against a public notice (公示异议), kept whatever became of
 * the case: nothing a citizen entered is lost. `source_address` is the client's address
 * (req.ip behind TRUST_PROXY); `form_nonce` is unique, so a form token files one objection;
 * identical text (`text_hash`, whitespace-normalised) from one address for one notice is
 * stored once.
 */
@Entity({ name: 'public_objections' })
@Unique('uq_public_objections_form_nonce', ['formNonce'])
@Unique('uq_public_objections_dedup', ['caseId', 'step', 'stepEntry', 'sourceAddress', 'textHash'])
@Check('chk_public_objections_text', `char_length("text") BETWEEN 1 AND 2000`)
@Check('chk_public_objections_outcome', `"outcome" IN (${OBJECTION_OUTCOMES.map((o) => `'${o}'`).join(', ')})`)
export class PublicObjectionEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_public_objections' })
  id!: string;

  /** The board's opaque id of the notice objected to. */
  @Column({ name: 'notice_id', type: 'varchar', length: 200 })
  noticeId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @ManyToOne(() => CaseEntity, { nullable: false })
  @JoinColumn({ name: 'case_id', foreignKeyConstraintName: 'fk_public_objections_case' })
  case?: Relation<CaseEntity>;

  /** The notice step and its visit the notice id names. */
  @Column({ name: 'step', type: 'varchar', length: 64 })
  step!: string;

  @Column({ name: 'step_entry', type: 'int' })
  stepEntry!: number;

  @Column({ name: 'text', type: 'text' })
  text!: string;

  @Column({ name: 'name', type: 'varchar', length: 50, nullable: true })
  name!: string | null;

  @Column({ name: 'contact', type: 'varchar', length: 100, nullable: true })
  contact!: string | null;

  @Column({ name: 'source_address', type: 'varchar', length: 64 })
  sourceAddress!: string;

  @Column({ name: 'user_agent', type: 'varchar', length: 500, nullable: true })
  userAgent!: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'outcome', type: 'varchar', length: 32 })
  outcome!: ObjectionOutcome;

  /** sha256 hex of the text with whitespace collapsed: the duplicate check. */
  @Column({ name: 'text_hash', type: 'char', length: 64 })
  textHash!: string;

  @Column({ name: 'form_nonce', type: 'varchar', length: 32 })
  formNonce!: string;
}
