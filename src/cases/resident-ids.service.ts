import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { AppException } from '../common/app-error.js';
import { ResidentIdCipher, ResidentIdCipherError } from '../org/resident-id-cipher.js';
import { isSealedResidentId } from '../org/resident-id.js';
import { CasesService } from './cases.service.js';

/** The permission that lets a user see a resident ID number in full. */
export const REVEAL_RESIDENT_ID = 'reveal-resident-id';

export enum ResidentIdExceptionCode {
  PERMISSION_REQUIRED = 'PERMISSION_REQUIRED',
  RESIDENT_ID_NOT_FOUND = 'RESIDENT_ID_NOT_FOUND',
  RESIDENT_ID_UNREADABLE = 'RESIDENT_ID_UNREADABLE',
}

export class ResidentIdException extends AppException<ResidentIdExceptionCode> {}

export interface RevealedResidentId {
  path: string;
  residentId: string;
}

/**
 * Reveals a resident ID number sealed in a case's data (src/cases/resident-id-sealing.ts)
 * to a user holding the permission `reveal-resident-id`, on a case the user may read.
 * Every reveal writes an audit row `resident-id.revealed` (with the masked value, never the
 * number) before the number is returned; a refusal for want of the permission writes
 * `access.denied`.
 */
@Injectable()
export class ResidentIdsService {
  private readonly logger = new Logger(ResidentIdsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cases: CasesService,
    private readonly audit: AuditService,
    private readonly cipher: ResidentIdCipher,
  ) {}

  async reveal(user: AuthUser, caseId: string, path: string, address: string | null): Promise<RevealedResidentId> {
    const actor = { id: user.id, username: user.username };
    if (!user.permissions.includes(REVEAL_RESIDENT_ID)) {
      await this.audit.record({
        kind: 'access.denied',
        actor,
        targetType: 'case',
        targetId: caseId,
        address,
        details: { permission: REVEAL_RESIDENT_ID, action: 'reveal-resident-id', path },
      });
      throw new ResidentIdException(
        `Revealing a resident ID number requires the permission ${REVEAL_RESIDENT_ID}`,
        ResidentIdExceptionCode.PERMISSION_REQUIRED,
        HttpStatus.FORBIDDEN,
        { permission: REVEAL_RESIDENT_ID },
      );
    }
    // The same check as GET /api/cases/:id: a case outside the caller's jurisdiction is 404.
    const view = await this.cases.get(user, caseId);
    const [row] = await this.dataSource.query(`SELECT snapshot->'context'->'data' AS data FROM cases WHERE id = $1`, [caseId]);
    const sealed = valueAt(row?.data, path);
    if (!isSealedResidentId(sealed)) {
      throw new ResidentIdException(`The case holds no resident ID number at ${path}`, ResidentIdExceptionCode.RESIDENT_ID_NOT_FOUND, HttpStatus.NOT_FOUND, { path });
    }
    let residentId: string;
    try {
      residentId = this.cipher.decrypt(sealed.token);
    } catch (error) {
      if (!(error instanceof ResidentIdCipherError)) throw error;
      this.logger.error(`Case ${caseId}: the resident ID at ${path} cannot be decrypted: ${error.message}`);
      throw new ResidentIdException(
        `The resident ID number at ${path} cannot be decrypted with the current key`,
        ResidentIdExceptionCode.RESIDENT_ID_UNREADABLE,
        HttpStatus.UNPROCESSABLE_ENTITY,
        { path },
      );
    }
    // Recorded before the number leaves: a reveal that cannot be audited does not happen.
    await this.audit.record({
      kind: 'resident-id.revealed',
      actor,
      targetType: 'case',
      targetId: caseId,
      jurisdictionCode: view.jurisdictionCode,
      address,
      details: { caseId, path, masked: sealed.masked },
    });
    return { path, residentId };
  }
}

/** The value at `a/b/0/c` in case data: object keys (own only) and array indexes; undefined when absent. */
export function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const segment of path.replace(/^\//, '').split('/')) {
    if (Array.isArray(value)) {
      value = /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
    } else if (value !== null && typeof value === 'object' && Object.hasOwn(value, segment)) {
      value = (value as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return value;
}
