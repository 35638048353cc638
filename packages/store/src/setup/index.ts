// Database roles: setting up the owner and application roles, and checking the daemon's role.
export {
  describePrivilege,
  type PrivilegeDescription,
  privilegeProblems,
} from './describe-privilege.js';
export { generatePassword, scramSha256Verifier } from './scram.js';
export {
  type SetupRolesOptions,
  type SetupRolesResult,
  setupDatabaseRoles,
} from './setup-roles.js';
