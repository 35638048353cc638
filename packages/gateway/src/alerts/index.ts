// Alerts as audit events (alert.raised / alert.cleared), open ones kept in PostgreSQL.
export {
  ALERT_SEVERITIES,
  type AlertInput,
  type AlertOptions,
  type AlertSeverity,
  clearAlert,
  type OpenAlert,
  openAlerts,
  raiseAlert,
  setAlert,
} from './alerts.js';
