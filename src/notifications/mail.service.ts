import { Inject, Injectable, type OnModuleDestroy, type Provider } from '@nestjs/common';
// The only file importing nodemailer: everything else sends through MailService, so the
// transport (and its timeouts) is decided in one place and tests can swap one class.
import { createTransport } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

export interface SentMail {
  messageId: string;
  /** The server's final reply ('250 OK: queued as …'). */
  response: string;
}

/** Injection token of the From address. */
export const MAIL_FROM = Symbol('MAIL_FROM');
/** The From address: MAIL_FROM of the configuration. Tests may override the token. */
export const mailFromProvider: Provider = {
  provide: MAIL_FROM,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): string => config.mailFrom,
};

/**
 * Nodemailer's defaults wait up to 2 minutes for a connection and 10 minutes on a silent
 * socket. A send happens while the email row is locked and a BullMQ job is active, so a
 * dead server must fail fast and let the job's backoff do the waiting instead.
 */
const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;

type Transporter = ReturnType<typeof createTransport>;

/**
 * Sends one plain-text UTF-8 mail over SMTP (config `smtpUrl`: Mailpit in development, the
 * test's own server in tests). Throws the transport's error on any failure — a refused
 * recipient, a 4xx/5xx reply, a timeout — and leaves retrying to the caller.
 */
@Injectable()
export class MailService implements OnModuleDestroy {
  private transporter?: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MAIL_FROM) private readonly from: string,
  ) {}

  async send(mail: OutgoingMail): Promise<SentMail> {
    const info = await this.transport().sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      // Subjects and bodies are Chinese: nodemailer writes them as UTF-8, the subject as
      // RFC 2047 encoded words and the body quoted-printable or base64, whichever is shorter.
      headers: { 'Content-Language': 'zh-CN' },
    });
    return { messageId: info.messageId, response: String(info.response ?? '') };
  }

  onModuleDestroy(): void {
    this.transporter?.close();
    this.transporter = undefined;
  }

  /** Created on first use, so processes that never send mail never touch SMTP settings. */
  private transport(): Transporter {
    this.transporter ??= createTransport({
      url: this.config.smtpUrl,
      connectionTimeout: CONNECTION_TIMEOUT_MS,
      greetingTimeout: GREETING_TIMEOUT_MS,
      socketTimeout: SOCKET_TIMEOUT_MS,
    });
    return this.transporter;
  }
}
