// Taking a line (CAPI controller) out of service and back (line.manage): the row in
// line_service and the audit event commit together. The line supervisor of every node reads
// the table (lines/supervisor.ts): no new call goes out on the controller and it is not
// LISTENed on, so incoming calls on it are not taken; a restart keeps it out.
import { appendAuditEvent } from '@faxgate/audit';
import { type Db, InvalidInputError, inTransaction } from '@faxgate/store';

export interface OutOfService {
  controller: number;
  reason: string;
  setBy: string;
  since: Date;
}

export async function listOutOfService(db: Db): Promise<OutOfService[]> {
  const rows: Array<{ controller: number; reason: string; set_by: string; since: Date }> = await db(
    'line_service',
  )
    .orderBy('controller')
    .select('controller', 'reason', 'set_by', 'since');
  return rows.map((r) => ({ controller: r.controller, reason: r.reason, setBy: r.set_by, since: r.since }));
}

export interface LineServiceChange {
  controller: number;
  inService: boolean;
  /** False when it already was as asked (nothing recorded). */
  changed: boolean;
  outOfService: OutOfService | null;
}

/** Out of service (`inService: false`, with a reason) or back; audited with the operator as actor. */
export async function setLineService(
  db: Db,
  input: { controller: number; inService: boolean; actor: { id: number; name: string }; reason?: string },
): Promise<LineServiceChange> {
  const { controller, inService, actor } = input;
  if (!Number.isInteger(controller) || controller < 1 || controller > 127)
    throw new InvalidInputError(`controller must be 1..127, got ${JSON.stringify(controller)}`);
  const reason = (input.reason ?? '').trim();
  if (reason.length > 200) throw new InvalidInputError('reason: at most 200 characters');
  return inTransaction(db, async (trx) => {
    const type = inService ? 'line.in_service' : 'line.out_of_service';
    // One statement each way: two operators at once change it once, and one event is recorded.
    const changed = inService
      ? (await trx('line_service').where({ controller }).delete()) > 0
      : (
          await trx('line_service')
            .insert({ controller, reason, set_by: actor.name })
            .onConflict('controller')
            .ignore()
            .returning('controller')
        ).length > 0;
    if (changed)
      await appendAuditEvent(trx, {
        type,
        actor: actor.name,
        actorId: actor.id,
        subject: `line:controller-${controller}`,
        details: { line: `controller ${controller}`, controller, ...(reason ? { reason } : {}) },
      });
    const row = await trx('line_service')
      .where({ controller })
      .first('controller', 'reason', 'set_by', 'since');
    return {
      controller,
      inService,
      changed,
      outOfService: row
        ? { controller: row.controller, reason: row.reason, setBy: row.set_by, since: row.since }
        : null,
    };
  });
}
