import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { AppException, CommonExceptionCode } from './app-error.js';

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** The HTTP reason phrase ('Unprocessable Entity'). */
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

/** What body-parser (via http-errors) attaches to its errors; Nest keeps it as `cause`. */
interface BodyParserError {
  type?: string;
  limit?: number;
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/**
 * Turns anything thrown while handling a request into one JSON shape. It catches
 * everything (no @Catch arguments) because an unhandled error must never fall through
 * to Express's HTML page or leak a stack trace; unknown errors are logged here and
 * answered with a bare 500.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Only HTTP is served here; a worker's errors are its own business.
    if (host.getType() !== 'http') throw exception;
    const { httpAdapter } = this.adapterHost;
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<unknown>();
    const response = ctx.getResponse<{ headersSent?: boolean }>();
    const body = this.toBody(exception, () => `${httpAdapter.getRequestMethod(request)} ${httpAdapter.getRequestUrl(request)}`);
    if (response.headersSent) return; // a streamed response already started: nothing sane to send
    httpAdapter.reply(response, body, body.statusCode);
  }

  toBody(exception: unknown, describeRequest: () => string = () => 'request'): ErrorBody {
    if (exception instanceof AppException) {
      const status = exception.status;
      if (status >= 500) this.logger.error(`${describeRequest()}: ${exception.message}`, exception.stack);
      return {
        statusCode: status,
        error: reasonPhrase(status),
        message: exception.message,
        details: { code: exception.code, ...exception.details },
      };
    }

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const bodyParser = this.fromBodyParser(exception, status);
      if (bodyParser) return bodyParser;
      if (status >= 500) this.logger.error(`${describeRequest()}: ${exception.message}`, exception.stack);
      return { statusCode: status, error: reasonPhrase(status), message: this.messageOf(exception) };
    }

    this.logger.error(
      `${describeRequest()}: unhandled ${exception instanceof Error ? exception.name : typeof exception}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return { statusCode: status, error: reasonPhrase(status), message: 'Internal server error' };
  }

  /**
   * Nest maps body-parser's failures to HttpExceptions whose message is the parser's
   * own (a JSON.parse position, say); answer them in our words with a stable code.
   */
  private fromBodyParser(exception: HttpException, status: number): ErrorBody | undefined {
    const cause = exception.cause as BodyParserError | undefined;
    if (!cause || typeof cause !== 'object') return undefined;
    if (cause.type === 'entity.parse.failed') {
      return {
        statusCode: status,
        error: reasonPhrase(status),
        message: 'The request body is not valid JSON',
        details: { code: CommonExceptionCode.MALFORMED_JSON },
      };
    }
    if (cause.type === 'entity.too.large') {
      return {
        statusCode: status,
        error: reasonPhrase(status),
        message: `The request body is larger than the limit of ${cause.limit} bytes`,
        details: { code: CommonExceptionCode.PAYLOAD_TOO_LARGE, limit: cause.limit },
      };
    }
    return undefined;
  }

  private messageOf(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    if (typeof message === 'string') return message;
    return exception.message;
  }
}
