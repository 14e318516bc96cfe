import type { EntityManager } from 'typeorm';

/**
 * The number of rows an UPDATE/DELETE touched. TypeORM's optimistic locking does not
 * guard raw updates, so a conditional `UPDATE … WHERE version = $n` must check this itself.
 */
export async function affectedRows(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
  const result = await manager.queryRunner!.query(sql, parameters, true);
  return result.affected ?? 0;
}
