// Rows inserted inside the caller's statement: for a change made in one statement (a
// data-modifying CTE such as a fax's state change), the audit event and the send-log record
// go into the same statement, so they commit with the change — and only if it matched a row.
import { InvalidInputError } from '@faxgate/store';

/** Statement text with `?` placeholders and their values (knex.raw style). */
export interface SqlPart {
  sql: string;
  bindings: string[];
}

const NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * INSERT of `rows` (column → value, the same columns in each) into `table`, once for each row
 * of `source` (a CTE of the caller's statement), in the order given. The values travel as
 * one JSON parameter and are typed by the table's own row type (json_populate_recordset),
 * so no column needs a cast.
 */
export function insertAlong(
  table: 'audit_events' | 'xfer_log',
  source: string,
  rows: readonly Record<string, unknown>[],
): SqlPart {
  if (!NAME.test(source)) throw new InvalidInputError(`bad source name ${JSON.stringify(source)}`);
  if (rows.length === 0) throw new InvalidInputError('nothing to insert');
  const columns = Object.keys(rows[0]);
  for (const r of rows) {
    const keys = Object.keys(r);
    if (keys.length !== columns.length || keys.some((k, i) => k !== columns[i]))
      throw new InvalidInputError('every row needs the same columns');
  }
  for (const c of columns)
    if (!NAME.test(c)) throw new InvalidInputError(`bad column name ${JSON.stringify(c)}`);
  const list = columns.map((c) => `"${c}"`).join(', ');
  const values = columns.map((c) => `r."${c}"`).join(', ');
  return {
    sql:
      `INSERT INTO ${table} (${list}) SELECT ${values} FROM ${source}` +
      ` CROSS JOIN json_populate_recordset(NULL::${table}, ?::json) WITH ORDINALITY AS r ORDER BY r.ordinality`,
    bindings: [JSON.stringify(rows)],
  };
}
