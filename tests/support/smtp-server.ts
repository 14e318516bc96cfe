import type { AddressInfo } from 'node:net';
import smtpServer from 'smtp-server';

// smtp-server is CommonJS: its default import is module.exports, which Jest's ESM loader
// and Node both provide, while named imports of a CJS module are not guaranteed to be.
const { SMTPServer } = smtpServer;

export interface ReceivedMail {
  /** Envelope sender and recipients (MAIL FROM / RCPT TO). */
  from: string;
  to: string[];
  /** Headers, unfolded, names lower-cased; encoded words left as sent. */
  headers: Map<string, string>;
  /** The Subject header decoded (RFC 2047), e.g. '案件退回补正：陈大明'. */
  subject: string;
  /** The text body decoded (quoted-printable or base64) as UTF-8. */
  text: string;
  raw: string;
}

export type SmtpMode = 'accept' | 'reject';

export interface TestSmtpServer {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for createTestApp({ env: { SMTP_URL } }). */
  url: string;
  /** Every mail accepted so far, in arrival order. */
  readonly messages: ReceivedMail[];
  /** How many RCPT/DATA commands were refused (reject mode). */
  readonly rejected: number;
  /** 'reject' answers 5xx to every RCPT TO and DATA; 'accept' takes everything. */
  setMode(mode: SmtpMode): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server inside the test process, on a random port of 127.0.0.1: the
 * application's nodemailer transport talks SMTP to it exactly as to Mailpit or a relay.
 * No TLS and no AUTH are offered, so the client sends in the clear without either.
 */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  let mode: SmtpMode = 'accept';
  let rejected = 0;

  const refuse = (message: string, code: number): Error => {
    rejected += 1;
    return Object.assign(new Error(message), { responseCode: code });
  };

  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (mode === 'reject') return callback(refuse('Mailbox unavailable (test server in reject mode)', 550));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (mode === 'reject') return callback(refuse('Transaction failed (test server in reject mode)', 554));
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ ...parseMessage(raw), from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    get rejected() {
      return rejected;
    },
    setMode(next) {
      mode = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Just enough MIME for the mails the application sends (one text/plain part): unfolded
 * headers, RFC 2047 subject, quoted-printable or base64 body.
 */
export function parseMessage(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text'> {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  let text: string;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') text = decodeQuotedPrintable(body);
  else text = body;
  return { headers, subject: decodeWords(headers.get('subject') ?? ''), text: text.replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

function decodeQuotedPrintable(text: string): string {
  return quotedPrintableBytes(text).toString('utf8');
}

function quotedPrintableBytes(text: string): Buffer {
  const bytes: number[] = [];
  const input = text.replace(/=\r?\n/g, ''); // soft line breaks
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=' && /^[0-9A-F]{2}$/i.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(input[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/**
 * RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`). Whitespace between adjacent
 * words is dropped, and their bytes are joined before decoding, because a long subject
 * may split one character's UTF-8 bytes over two words.
 */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = '';
  let pending: Buffer[] = [];
  let last = 0;
  const flush = () => {
    if (pending.length > 0) out += Buffer.concat(pending).toString('utf8');
    pending = [];
  };
  for (let match = word.exec(value); match; match = word.exec(value)) {
    const between = value.slice(last, match.index);
    if (!(pending.length > 0 && /^\s*$/.test(between))) {
      flush();
      out += between;
    }
    const [, , encoding, data] = match;
    pending.push(
      encoding.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64')
        : quotedPrintableBytes(data.replace(/_/g, ' ')),
    );
    last = word.lastIndex;
  }
  flush();
  return out + value.slice(last);
}
