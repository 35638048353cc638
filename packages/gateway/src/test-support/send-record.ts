// One send/receive log record the export tests share: a 3-page SEND of job 42 on 2 March 2026.
import { recordXfer } from '@faxgate/audit';
import type { Db } from '@faxgate/store';

export function recordSampleSend(db: Db, owner: string): Promise<unknown> {
  return db.transaction((trx) =>
    recordXfer(trx, {
      type: 'SEND',
      time: new Date('2026-03-02T10:15:00Z'),
      commid: '00000042',
      device: 'c1b1',
      jobid: '42',
      dest: '+4930123456',
      remoteStation: '+49 30 123456',
      npages: 3,
      jobtimeSeconds: 75,
      conntimeSeconds: 61,
      reason: '',
      owner,
    }),
  );
}
