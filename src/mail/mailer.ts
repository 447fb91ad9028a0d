/** An email ready to send. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Record<string, string>;
}

export interface SendResult {
  accepted: boolean;
  /** SMTP reply code, when the transport speaks SMTP. */
  code?: number;
  response?: string;
  /**
   * When not accepted: true if the server refused for good (SMTP 5xx), false if trying again later may
   * work (4xx, connection trouble). Transports report refusals here rather than throwing.
   */
  permanent?: boolean;
  /** Not accepted because the transport could not reach its server at all (no reply code). */
  unreachable?: boolean;
}

/** The port every mail transport implements (SMTP, .eml file outbox, memory for tests). */
export interface Mailer {
  /** 'smtp', 'file', 'memory'; 'none' for a runtime that only queues (a Worker): alert runs then leave the outbox for the Node service. */
  readonly kind: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  close(): Promise<void>;
}

/** A transport that keeps what it is given; for unit tests only. */
export function memoryMailer(): Mailer & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return {
    kind: 'memory',
    sent,
    async send(mail) {
      sent.push(mail);
      return { accepted: true, code: 250 };
    },
    async close() {},
  };
}
