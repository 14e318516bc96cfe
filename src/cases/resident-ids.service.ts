import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../auth/auth-user.js';
import { AppException } from '../common/app-error.js';
import { ResidentIdCipher, ResidentIdCipherError } from '../org/resident-id-cipher.js';
import { isSealedResidentId } from '../org/resident-id.js';
import { isSealedText, sealedIdsOf } from '../org/resident-id-text.js';
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

  /**
   * `path` leads into the case's data, or — with `seq` — into the payload of that row of its
   * history (a comment's `text/0`, an action's `input/reason/0` or `comment/0`, an
   * objection's `text/0`): IDs typed into free text live only there once the data moved on.
   */
  async reveal(user: AuthUser, caseId: string, path: string, address: string | null, seq?: number): Promise<RevealedResidentId> {
    return this.revealSealed(user, { targetType: 'case', targetId: caseId, path, address }, async () => {
      // The same check as GET /api/cases/:id: a case outside the caller's jurisdiction is 404.
      const view = await this.cases.get(user, caseId);
      const [row] =
        seq === undefined
          ? await this.dataSource.query(`SELECT snapshot->'context'->'data' AS data FROM cases WHERE id = $1`, [caseId])
          : await this.dataSource.query(`SELECT payload AS data FROM case_history WHERE case_id = $1 AND seq = $2`, [caseId, seq]);
      return { sealed: valueAt(row?.data, path), jurisdictionCode: view.jurisdictionCode, details: { caseId, ...(seq === undefined ? {} : { seq }), path } };
    });
  }

  /**
   * A reveal of any sealed resident ID (a case's data, a household member): the permission
   * check first (refused: `access.denied`), then `locate` — which applies the target's own
   * access rule and finds the sealed value — then the decryption and the `resident-id.revealed`
   * audit row, written before the number leaves.
   */
  async revealSealed(
    user: AuthUser,
    target: { targetType: string; targetId: string; path: string; address: string | null },
    locate: () => Promise<{ sealed: unknown; jurisdictionCode: string; details: Record<string, unknown> }>,
  ): Promise<RevealedResidentId> {
    const { targetType, targetId, path, address } = target;
    const actor = { id: user.id, username: user.username };
    if (!user.permissions.includes(REVEAL_RESIDENT_ID)) {
      await this.audit.record({
        kind: 'access.denied',
        actor,
        targetType,
        targetId,
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
    const { sealed, jurisdictionCode, details } = await locate();
    if (!isSealedResidentId(sealed)) {
      throw new ResidentIdException(`The ${targetType} holds no resident ID number at ${path}`, ResidentIdExceptionCode.RESIDENT_ID_NOT_FOUND, HttpStatus.NOT_FOUND, { path });
    }
    let residentId: string;
    try {
      residentId = this.cipher.decrypt(sealed.token);
    } catch (error) {
      if (!(error instanceof ResidentIdCipherError)) throw error;
      this.logger.error(`${targetType} ${targetId}: the resident ID at ${path} cannot be decrypted: ${error.message}`);
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
      targetType,
      targetId,
      jurisdictionCode,
      address,
      details: { ...details, masked: sealed.masked },
    });
    return { path, residentId };
  }
}

/**
 * The value at `a/b/0/c` in case data: object keys (own only) and array indexes; undefined
 * when absent. In a text with sealed IDs (src/org/resident-id-text.ts) a number is the
 * n-th ID of the text: `reason/0` is the first ID typed into `reason`.
 */
export function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const segment of path.replace(/^\//, '').split('/')) {
    if (isSealedText(value)) value = sealedIdsOf(value);
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
