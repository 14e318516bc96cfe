import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { maskResidentIdsInText } from '../org/resident-id.js';

/**
 * Nest's ConsoleLogger with every resident ID number masked (`4407**********123X`)
 * before anything is written: the formatted line (message, context, params, inspected
 * objects and errors), the separate stack trace of error() and fatal(), and every string
 * of a JSON log record. Masking the finished text rather than the arguments catches IDs
 * however they reached the line (an exception message, a SQL parameter, a stack).
 *
 * main.ts, worker.ts and the test app use it; `new MaskingLogger({ logLevels })` takes
 * ConsoleLogger's options.
 */
export class MaskingLogger extends ConsoleLogger {
  protected override formatMessage(
    logLevel: LogLevel,
    message: unknown,
    pidMessage: string,
    formattedLogLevel: string,
    contextMessage: string,
    timestampDiff: string,
    params?: Record<string, any>,
  ): string {
    return maskResidentIdsInText(super.formatMessage(logLevel, message, pidMessage, formattedLogLevel, contextMessage, timestampDiff, params));
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(typeof stack === 'string' ? maskResidentIdsInText(stack) : stack);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    return maskDeep(super.getJsonLogObject(message, options)) as ReturnType<ConsoleLogger['getJsonLogObject']>;
  }
}

/** Strings masked, arrays and plain objects copied with their values masked; the rest as is. */
function maskDeep(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return maskResidentIdsInText(value);
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, seen));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = maskDeep(item, seen);
  return copy;
}
