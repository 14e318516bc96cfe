import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.js';

/**
 * The one DataSource the TypeORM CLI loads:
 *   typeorm migration:generate -d dist/src/database/cli-data-source.js migrations/<name>
 * Kept apart from data-source.ts so that importing the options never reads the
 * environment as a side effect. Constructing it does not connect.
 */
export default new DataSource(dataSourceOptions(loadAppConfig()));
