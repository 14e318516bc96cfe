import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

/**
 * Runs a statement as a named (prepared) statement on the connection of `manager`: the
 * first run on a connection parses it, later runs only bind and execute, and PostgreSQL
 * plans it from its cache. For the hot statements of the action path only; everything
 * else goes through `manager.query()` (TypeORM sends unnamed statements, parsed and
 * planned every time).
 *
 * Inside a transaction `manager.queryRunner` holds the transaction's connection:
 * TypeORM's postgres query runner `connect()` resolves to the pg `PoolClient` it has
 * taken from the pool (node_modules/typeorm/driver/postgres/PostgresQueryRunner.js). The
 * plain `dataSource.manager` has no query runner: a statement on it takes a connection
 * of its own for that one statement (autocommit), as `manager.query()` does.
 *
 * A name must always come with the same text (pg refuses otherwise), so `text` is a
 * constant per `name`. Errors are wrapped in TypeORM's QueryFailedError, like those of
 * `manager.query()`.
 */
export async function preparedQuery<R extends QueryResultRow = Record<string, unknown>>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<QueryResult<R>> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  const ownRunner = manager.queryRunner === undefined;
  try {
    const client = (await runner.connect()) as PoolClient;
    try {
      return await client.query<R>({ name, text, values });
    } catch (error) {
      throw new QueryFailedError(text, values, error as Error);
    }
  } finally {
    if (ownRunner) await runner.release();
  }
}
