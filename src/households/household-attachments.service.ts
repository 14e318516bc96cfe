import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { sealedPart, sealText } from '../cases/resident-id-sealing.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ResidentIdCipher } from '../org/resident-id-cipher.js';
import { shownText } from '../org/resident-id-text.js';
import { attachmentKey, AttachmentStore } from './attachment-store.js';
import { checkAttachmentType, safeFileName } from './attachment-type.js';
import type { AttachmentKind } from './household-file.js';
import { HouseholdException, HouseholdExceptionCode } from './households.exception.js';
import { HouseholdsService } from './households.service.js';

/** The part of multer's file the service uses (memory storage). */
export interface UploadedFileLike {
  originalname: string;
  size: number;
  buffer: Buffer;
}

/**
 * Attachments of a household file (meeting minutes, notice photos). An upload is checked
 * before anything is written — size, and the content type from the bytes matching the
 * name — then stored under the household's key and recorded in one transaction with the
 * file's version; if the transaction does not commit, the stored bytes are removed.
 */
@Injectable()
export class HouseholdAttachmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly households: HouseholdsService,
    private readonly store: AttachmentStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cipher: ResidentIdCipher,
  ) {}

  async upload(user: AuthUser, householdId: string, file: UploadedFileLike | undefined, kind: AttachmentKind, caseId?: string) {
    if (!file || file.size === 0) throw new HouseholdException('Send the file as the multipart field "file"', HouseholdExceptionCode.ATTACHMENT_MISSING);
    const max = this.config.attachments.maxBytes;
    if (file.size > max || file.buffer.length > max) {
      throw new HouseholdException(`The file is larger than ${max} bytes`, HouseholdExceptionCode.ATTACHMENT_TOO_LARGE, { maxBytes: max });
    }
    const fileName = safeFileName(file.originalname);
    const type = await checkAttachmentType(file.buffer, fileName);
    if (!type.ok) throw new HouseholdException(type.reason, HouseholdExceptionCode.ATTACHMENT_TYPE_NOT_ALLOWED, { detected: type.detected });
    // A resident ID in the file's name (扫描件 named by the number) is sealed like any typed text:
    // the row, the download and the version log name the file with it masked.
    const sealedName = sealText(fileName, this.cipher);
    const shownName = shownText(sealedName);

    const id = randomUUID();
    const key = attachmentKey(householdId, id);
    let stored = false;
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.households.accessible(manager, user, householdId, 'write', true);
        if (caseId !== undefined) {
          const [linked] = await manager.query(`SELECT 1 FROM cases WHERE id = $1 AND household_id = $2`, [caseId, householdId]);
          if (!linked) throw new HouseholdException(`Case ${caseId} is not a case of this household`, HouseholdExceptionCode.INVALID_HOUSEHOLD, { caseId });
        }
        const sha256 = createHash('sha256').update(file.buffer).digest('hex');
        const now = this.clock.now();
        await manager.query(
          `INSERT INTO household_attachments (id, household_id, kind, file_name, sealed_text, content_type, size_bytes, sha256, storage_key, case_id, uploaded_by, uploaded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [id, householdId, kind, shownName, sealedPart({ fileName: sealedName }), type.contentType, file.buffer.length, sha256, key, caseId ?? null, user.id, now],
        );
        const attachment = { id, kind, fileName: shownName, contentType: type.contentType, sizeBytes: file.buffer.length, sha256, caseId: caseId ?? null, uploadedAt: now };
        const version = await this.households.recordChange(manager, householdId, user, 'attachment', [
          { path: `attachments[${id}]`, from: null, to: { kind, fileName: sealedName, contentType: type.contentType, sizeBytes: file.buffer.length, sha256 } },
        ]);
        // Last, inside the transaction: a failed write rolls the row back.
        await this.store.put(key, file.buffer, type.contentType);
        stored = true;
        return { ...attachment, version };
      });
    } catch (error) {
      if (stored) await this.store.delete(key).catch(() => undefined);
      throw error;
    }
  }

  /** The file's attachments, newest first; with `caseId`, only those documenting that case. */
  async list(user: AuthUser, householdId: string, caseId?: string) {
    await this.households.accessible(this.dataSource.manager, user, householdId, 'read');
    return this.dataSource.query(
      `SELECT id, kind, file_name AS "fileName", content_type AS "contentType", size_bytes AS "sizeBytes", sha256, case_id AS "caseId",
              uploaded_by AS "uploadedBy", uploaded_at AS "uploadedAt"
         FROM household_attachments WHERE household_id = $1 AND ($2::uuid IS NULL OR case_id = $2) ORDER BY uploaded_at DESC, id`,
      [householdId, caseId ?? null],
    );
  }

  async download(user: AuthUser, householdId: string, attachmentId: string): Promise<{ fileName: string; contentType: string; body: Buffer }> {
    await this.households.accessible(this.dataSource.manager, user, householdId, 'read');
    const [row] = /^[0-9a-f-]{36}$/i.test(attachmentId)
      ? await this.dataSource.query(`SELECT file_name, content_type, storage_key FROM household_attachments WHERE id = $1 AND household_id = $2`, [attachmentId, householdId])
      : [];
    const body = row ? await this.store.get(row.storage_key) : undefined;
    if (!row || !body) throw new HouseholdException(`Attachment ${attachmentId} was not found`, HouseholdExceptionCode.ATTACHMENT_NOT_FOUND, { attachmentId });
    return { fileName: row.file_name, contentType: row.content_type, body };
  }
}
