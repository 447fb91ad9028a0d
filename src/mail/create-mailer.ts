import type { Config } from '../config.js';
import { fileOutboxMailer } from './file-outbox.js';
import type { Mailer } from './mailer.js';
import { smtpMailer } from './smtp.js';

/** The transport the settings ask for: SMTP when SMTP_URL is set, otherwise .eml files under OUTBOX_DIR. */
export function createMailer(config: Config): Mailer {
  if (config.SMTP_URL) {
    return smtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM, ratePerSecond: config.MAIL_RATE_PER_SECOND });
  }
  return fileOutboxMailer({ dir: config.OUTBOX_DIR, from: config.MAIL_FROM });
}
