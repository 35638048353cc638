// Periodic tasks, one node at a time (PostgreSQL advisory lock + last run per task).
export {
  lastRuns,
  SCHEDULE_LOCK_CLASS,
  type ScheduledTask,
  type Scheduler,
  type SchedulerOptions,
  startScheduler,
  type TaskContext,
  type TaskOutcome,
} from './scheduler.js';
