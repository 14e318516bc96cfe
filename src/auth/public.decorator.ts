import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'fupin:isPublic';

/** Opts a route (or a whole controller) out of the global JWT guard. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
