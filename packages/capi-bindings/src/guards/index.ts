export { GuardedApplication } from './guarded-application.js';
