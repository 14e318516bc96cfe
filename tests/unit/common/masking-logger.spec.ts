import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { MaskingLogger } from '../../../src/common/masking-logger.js';

const ID = '44078119900105123X';
const OTHER_ID = '11010519491231002x';
const ID_PATTERN = /(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])/;

/** Runs `fn` with stdout and stderr captured; returns what was written to each. */
function capture(fn: () => void): { stdout: string; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    err.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('MaskingLogger', () => {
  afterEach(() => Logger.overrideLogger(true));

  it('prints an ID in a log message masked, with the rest of the line intact', () => {
    const logger = new MaskingLogger({ colors: false });
    const { stdout } = capture(() => logger.log(`household ${ID} registered, phone 13800138000`, 'Cases'));
    expect(stdout).toContain('household 4407**********123X registered, phone 13800138000');
    expect(stdout).toContain('[Cases]');
    expect(stdout).not.toMatch(ID_PATTERN);
  });

  it('masks with colours on too, and at every level', () => {
    const logger = new MaskingLogger({ colors: true, logLevels: ['log', 'warn', 'debug', 'verbose', 'error', 'fatal'] });
    const { stdout, stderr } = capture(() => {
      logger.log(`log ${ID}`);
      logger.warn(`warn ${ID}`);
      logger.debug(`debug ${ID}`);
      logger.verbose(`verbose ${ID}`);
      logger.error(`error ${ID}`);
      logger.fatal(`fatal ${ID}`);
    });
    expect(`${stdout}${stderr}`.match(/4407\*{10}123X/g)).toHaveLength(6);
    expect(`${stdout}${stderr}`).not.toMatch(ID_PATTERN);
  });

  it('masks an ID in an error stack and in the context', () => {
    const logger = new MaskingLogger({ colors: false });
    const error = new Error(`duplicate resident ID ${ID}`);
    const { stdout, stderr } = capture(() => logger.error(error.message, error.stack, `Import ${OTHER_ID}`));
    const printed = stdout + stderr;
    expect(printed).toContain('duplicate resident ID 4407**********123X');
    expect(printed).toContain('Error: duplicate resident ID 4407**********123X\n    at ');
    expect(printed).toContain('[Import 1101**********002X]');
    expect(printed).not.toMatch(ID_PATTERN);
  });

  it('masks IDs inside logged objects and Error objects', () => {
    const logger = new MaskingLogger({ colors: false });
    const { stdout, stderr } = capture(() => {
      logger.log({ household: '陈某', idNumber: ID, members: [{ idNumber: OTHER_ID }] });
      logger.error(new Error(`cannot decrypt ${ID}`));
    });
    const printed = stdout + stderr;
    expect(printed).toContain('4407**********123X');
    expect(printed).toContain('1101**********002X');
    expect(printed).not.toMatch(ID_PATTERN);
  });

  it('masks every string of a JSON log record, the stack included', () => {
    const logger = new MaskingLogger({ json: true });
    const error = new Error(`bad ID ${ID}`);
    const { stdout, stderr } = capture(() => {
      logger.log(`household ${ID}`, 'Cases');
      logger.log({ idNumber: OTHER_ID, nested: { list: [ID] } });
      logger.error(`failed for ${ID}`, error.stack, 'Import');
      logger.error(error);
    });
    const printed = stdout + stderr;
    expect(printed).not.toMatch(ID_PATTERN);
    const records = printed
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ message: 'household 4407**********123X', context: 'Cases' });
    expect(records[1]).toMatchObject({ message: { idNumber: '1101**********002X', nested: { list: ['4407**********123X'] } } });
    expect(records[2]).toMatchObject({ message: 'failed for 4407**********123X' });
    expect(String(records[2].stack)).toContain('Error: bad ID 4407**********123X');
  });

  it('masks what the static Logger prints once it is the application logger', () => {
    Logger.overrideLogger(new MaskingLogger({ colors: false }));
    const { stdout } = capture(() => new Logger('Bootstrap').log(`seeded ${ID}`));
    expect(stdout).toContain('seeded 4407**********123X');
    expect(stdout).not.toMatch(ID_PATTERN);
  });
});
