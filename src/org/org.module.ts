import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JurisdictionsModule } from './jurisdictions.module.js';
import { UserEntity } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), JurisdictionsModule],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class OrgModule {}
