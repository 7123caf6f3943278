import nodemailer from 'nodemailer';

export interface Mailer {
  /** Sends a plain-text message; resolves false (never throws) when the SMTP server refuses or is down. */
  send(message: { to: string; subject: string; text: string }): Promise<boolean>;
}

/** SMTP through nodemailer when SMTP_URL is configured; `null` otherwise (links are shown, not e-mailed). */
export function createMailer(
  smtpUrl: string | undefined,
  from: string,
  onError: (err: unknown) => void,
): Mailer | null {
  if (!smtpUrl) return null;
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(message) {
      try {
        await transport.sendMail({ from, ...message });
        return true;
      } catch (err) {
        onError(err);
        return false;
      }
    },
  };
}
