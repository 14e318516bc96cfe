import { HttpStatus, ValidationPipe, type ValidationError } from '@nestjs/common';
import { CommonException, CommonExceptionCode } from './app-error.js';

export interface ValidationFailure {
  /** Dotted path of the offending property ('plan.measures.0.kind'). */
  property: string;
  /** class-validator constraint name → message ({ isString: 'name must be a string' }). */
  constraints: Record<string, string>;
}

/** Flattens class-validator's nested errors into one entry per offending property path. */
export function flattenValidationErrors(errors: ValidationError[], parentPath = ''): ValidationFailure[] {
  return errors.flatMap((error) => {
    const property = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = error.constraints ? [{ property, constraints: error.constraints }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], property)];
  });
}

/**
 * The one ValidationPipe of the application: unknown properties are refused (not
 * silently dropped) so a misspelt field is a 400 the client sees, and payloads become
 * instances of their DTO class.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const failures = flattenValidationErrors(errors);
      const summary = failures.flatMap((f) => Object.values(f.constraints)).join('; ');
      return new CommonException(
        summary ? `Validation failed: ${summary}` : 'Validation failed',
        CommonExceptionCode.VALIDATION_FAILED,
        HttpStatus.BAD_REQUEST,
        { errors: failures },
      );
    },
  });
}
