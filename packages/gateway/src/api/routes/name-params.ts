// JSON-schema pieces for names in bodies and paths (users, groups, mailboxes, grants).
export const name = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** Path parameters that are names (a `number` parameter is a fax number). */
export const nameParams = (...keys: string[]) =>
  ({
    type: 'object',
    required: keys,
    properties: Object.fromEntries(
      keys.map((k) => [k, k === 'number' ? { type: 'string', maxLength: 40 } : name]),
    ),
  }) as const;
