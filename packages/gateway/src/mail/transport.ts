// The connection to the organisation's relay (nodemailer's SMTP transport): STARTTLS required
// unless configured otherwise, AUTH with the password read from its file at each use (a
// rotated password applies without a restart), bounded by the configured timeouts.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import type { SmtpConfig } from './config.js';

/** Reads a secret file: the first line, without its line break; a clear error when it is missing or empty. */
export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(
      `${what} file ${path} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const secret = text.split(/\r?\n/)[0] ?? '';
  if (!secret) throw new Error(`${what} file ${path} is empty`);
  return secret;
}

/** nodemailer options for the relay (the password read now). */
export async function smtpOptions(smtp: SmtpConfig): Promise<SMTPTransportOptions> {
  const auth = smtp.user
    ? { user: smtp.user, pass: await readSecretFile(smtp.passwordFile, 'SMTP password') }
    : undefined;
  const ca = smtp.caFile ? await readFile(smtp.caFile, 'utf8') : undefined;
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === 'implicit',
    requireTLS: smtp.tls === 'starttls',
    ignoreTLS: smtp.tls === 'none',
    tls: {
      rejectUnauthorized: smtp.rejectUnauthorized,
      ...(ca ? { ca } : {}),
      // SNI takes names only (RFC 6066); an IP address is checked against the certificate's IP SAN
      ...(isIP(smtp.host) ? {} : { servername: smtp.host }),
    },
    auth,
    connectionTimeout: smtp.connectionTimeoutSeconds * 1000,
    greetingTimeout: smtp.greetingTimeoutSeconds * 1000,
    socketTimeout: smtp.socketTimeoutSeconds * 1000,
    // nodemailer's own logger stays off: the worker logs each outcome without addresses of AUTH.
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/** A transport for one round of sending; close it afterwards. */
export async function createRelayTransport(smtp: SmtpConfig) {
  return nodemailer.createTransport(await smtpOptions(smtp));
}
