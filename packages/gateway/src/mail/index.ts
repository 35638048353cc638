// Fax to e-mail: the durable outbox and its delivery through the organisation's relay.
export { checkMailAddress, isMailAddress } from './address.js';
export {
  checkOutgoingMail,
  enqueueMail,
  MAIL_CHANNEL,
  MAIL_LIMITS,
  MAIL_PURPOSES,
  type MailAttachment,
  type MailPurpose,
  type MailState,
  mailsOfFax,
  type OutboxRow,
  type OutgoingMail,
  toOutboxRow,
} from './outbox.js';
