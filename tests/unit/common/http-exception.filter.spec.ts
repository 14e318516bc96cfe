import { BadRequestException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { AppException } from '../../../src/common/app-error.js';
import { HttpExceptionFilter } from '../../../src/common/http-exception.filter.js';

enum SampleExceptionCode {
  STALE_VERSION = 'STALE_VERSION',
}
class SampleException extends AppException<SampleExceptionCode> {}

describe('HttpExceptionFilter.toBody', () => {
  const filter = new HttpExceptionFilter({} as HttpAdapterHost);

  // The filter logs unknown errors: capture them (also keeps the output quiet).
  const originalError = Logger.prototype.error;
  let logged: unknown[][] = [];
  beforeEach(() => {
    logged = [];
    Logger.prototype.error = function (...args: unknown[]) {
      logged.push(args);
    };
  });
  afterEach(() => {
    Logger.prototype.error = originalError;
  });

  it('renders a feature exception with its code and details', () => {
    const body = filter.toBody(
      new SampleException('The case was changed by someone else', SampleExceptionCode.STALE_VERSION, HttpStatus.CONFLICT, {
        currentVersion: 4,
      }),
    );
    expect(body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'The case was changed by someone else',
      details: { code: 'STALE_VERSION', currentVersion: 4 },
    });
  });

  it('renders Nest HTTP exceptions with their reason phrase', () => {
    expect(filter.toBody(new NotFoundException('Case not found'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Case not found',
    });
    expect(filter.toBody(new BadRequestException(['a is wrong', 'b is wrong'])).message).toBe('a is wrong; b is wrong');
  });

  it('answers unknown errors with a bare 500 that reveals nothing', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2');
    const body = filter.toBody(secret);
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(filter.toBody('a thrown string')).toEqual(body);
    // …but the server log keeps the stack for whoever investigates.
    expect(logged).toHaveLength(2);
    expect(String(logged[0][1])).toContain('ECONNREFUSED');
  });

  it('uses the reason phrase of the status, e.g. 422', () => {
    const body = filter.toBody(new SampleException('Refused', SampleExceptionCode.STALE_VERSION, HttpStatus.UNPROCESSABLE_ENTITY));
    expect(body.error).toBe('Unprocessable Entity');
  });
});
