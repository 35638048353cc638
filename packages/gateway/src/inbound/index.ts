export { type Receiver, type ReceiverOptions, startReceiver } from './receiver.js';
