// The outgoing fax pipeline: submission, queue, send worker, retries, reconciler, and job
// control (stop, modify, delete, resubmit, settle).
export { type ChannelLease, ChannelPool, type ControllerChannels } from './channel-pool.js';
export { type DeleteContext, type DeleteResult, deleteFax } from './delete.js';
export { DestinationRefusedError, JobStateError } from './errors.js';
export {
  MODIFIABLE_STATES,
  type ModifyChanges,
  type ModifyContext,
  type ModifyResult,
  modifyFax,
} from './modify.js';
export { encodePages, loadSff, MAX_PAGES, pagesFromTiff } from './pages.js';
export { type OutgoingPipeline, type PipelineOptions, startPipeline } from './pipeline.js';
export { aliveInstances, startPresence, type WorkerPresence } from './presence.js';
export {
  enqueueFax,
  faxIdOf,
  jobIdOf,
  openSendQueue,
  SEND_QUEUE,
  type SendJobData,
  type SendQueue,
  stopChannel,
} from './queue.js';
export {
  type ReconcileContext,
  type ReconcileReport,
  type Reconciler,
  reconcile,
  startReconciler,
} from './reconciler.js';
export { type ResubmitContext, type ResubmitResult, resubmitFax } from './resubmit.js';
export { type QueueSettings, queueSettings, type RetryClass } from './settings.js';
export {
  SETTLE_DECISIONS,
  type SettleContext,
  type SettleDecision,
  type SettleResult,
  settleOutcome,
} from './settle.js';
export { type StopContext, type StopResult, stopFax } from './stop.js';
export { type SubmitContext, type SubmitFaxInput, type SubmitResult, submitFax } from './submit.js';
export { OUTCOME_UNKNOWN, QUEUED_STATES, recoverCutOffCall } from './transitions.js';
export { type CallSummary, judgeCall, retryClassOf, type Verdict } from './verdict.js';
export { type FaxWorker, type FaxWorkerOptions, startFaxWorker } from './worker.js';
