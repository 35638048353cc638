// Forwarding received faxes (`in.forward`): to a mailbox, a user, an e-mail address, a fax number.
export { type ForwardContext, type ForwardInput, type ForwardResult, forwardFax } from './forward.js';
export { personalMailbox } from './recipient.js';
export { FORWARDABLE, type ForwardEntry } from './record.js';
export {
  checkNote,
  checkTarget,
  describeTarget,
  type ForwardTarget,
  type ForwardTargetKind,
  MAX_NOTE,
} from './target.js';
