import { Global, Module } from '@nestjs/common';
import { Clock, clockProvider } from './clock.js';

/** Cross-cutting providers every module may inject. Tests override Clock here. */
@Global()
@Module({ providers: [clockProvider], exports: [Clock] })
export class CoreModule {}
