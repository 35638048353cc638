// What the REST endpoints the Administration view uses answer (gateway api/schemas.ts).
// The role and right names are the store's (model.ts); the server checks every value anyway.

export const ROLE_NAMES = ['admin', 'postoffice', 'operator', 'auditor', 'user'] as const;
export const RIGHT_NAMES = {
  incoming: ['in.read', 'in.forward', 'in.delete'],
  outgoing: ['out.send', 'out.stop', 'out.delete', 'out.modify'],
} as const;

export interface User {
  id: number;
  name: string;
  displayName: string;
  disabled: boolean;
  roles: string[];
  hasPassword: boolean;
  createdAt: string;
}

export interface Group {
  id: number;
  name: string;
  description: string;
  members: string[];
}

export interface Mailbox {
  id: number;
  name: string;
  kind: 'incoming' | 'outgoing';
  description: string;
  numbers: string[];
  createdAt: string;
}

export interface Grant {
  id: number;
  userName: string | null;
  groupName: string | null;
  mailboxId: number;
  mailboxName: string;
  right: string;
  createdAt: string;
}

export interface Credential {
  id: number;
  kind: 'session' | 'token';
  userId: number;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface ConfigVersion {
  version: number;
  node: string;
  author: string;
  authorKind: 'user' | 'os' | 'system';
  createdAt: string;
  sha256: string;
  comment: string;
  reason: string;
  content?: string;
  diff?: string;
}

export interface Selftest {
  id: number;
  createdAt: string;
  keyId: string;
  report: {
    node: string;
    actor: string;
    mode: string;
    configVersion: number | null;
    passed: boolean;
    checks: { name: string; status: 'pass' | 'warn' | 'fail' | 'skipped'; detail: string; ms: number }[];
  };
}

export interface PilotState {
  node: string;
  mode: 'pilot' | 'production';
  configured: 'pilot' | 'production';
  release: { releasedBy: string; releasedAt: string; selftestId: number; note: string } | null;
}
