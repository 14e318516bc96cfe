import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.js';

/**
 * The PostgreSQL connection shared by the API and the worker. No migrations here: they
 * run before a process starts (ensure-database.ts), once, under a lock.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({ ...dataSourceOptions(config), migrations: [] }),
    }),
  ],
})
export class DatabaseModule {}
