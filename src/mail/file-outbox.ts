import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Mailer, OutgoingMail } from './mailer.js';

/** A file name for a message: its Message-ID without brackets, reduced to characters safe on every filesystem. */
export function emlFileName(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_') + '.eml';
}

/**
 * With no SMTP server configured, each message becomes a complete .eml file (headers, plain text and
 * HTML parts) that a mail program opens directly. The name comes from the Message-ID, so writing the
 * same message again replaces its file rather than adding a second one.
 */
export function fileOutboxMailer(options: { dir: string; from: string }): Mailer {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | undefined;
  return {
    kind: 'file',
    async send(mail: OutgoingMail) {
      ready ??= mkdir(options.dir, { recursive: true });
      await ready;
      const info = await composer.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
      });
      const path = join(options.dir, emlFileName(mail.messageId));
      const partial = `${path}.partial`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, path);
      return { accepted: true, response: `written to ${path}` };
    },
    async close() {},
  };
}
