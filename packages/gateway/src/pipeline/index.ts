// The outgoing fax pipeline: submission, queue, send worker, retries, reconciler, stop.
export { type ChannelLease, ChannelPool, type ControllerChannels } from './channel-pool.js';
export { DestinationRefusedError } from './errors.js';
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
export { type QueueSettings, queueSettings, type RetryClass } from './settings.js';
export { type StopContext, type StopResult, stopFax } from './stop.js';
export { type SubmitContext, type SubmitFaxInput, type SubmitResult, submitFax } from './submit.js';
export { OUTCOME_UNKNOWN, QUEUED_STATES, recoverCutOffCall } from './transitions.js';
export { type CallSummary, judgeCall, retryClassOf, type Verdict } from './verdict.js';
export { type FaxWorker, type FaxWorkerOptions, startFaxWorker } from './worker.js';
