// One whole-system test world: a PostgreSQL database of its own (migrated, one user with an
// outgoing mailbox), capi-sim with one remote fax machine per fax (so the trace tells each
// fax's dials apart), the gateway configuration for the daemon, and submission through the
// pipeline's own submitFax (the function the CLI and the API call).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditMigrations, verifyAuditChain } from '@faxgate/audit';
import { type PartyBehaviour, type Simulator, startSimulator } from '@faxgate/capi-sim';
import { type BilevelPage, createPage, setPixel } from '@faxgate/fax-core';
import {
  type FaxgateConfigInput,
  openSendQueue,
  queueSettings,
  type SendQueue,
  submitFax,
  validateConfig,
} from '@faxgate/gateway';
import { createRouter } from '@faxgate/router';
import { type Fax, faxes, grants, type Knex, mailboxes, migrate, openDatabase, users } from '@faxgate/store';
import { createTestDatabase, type TestDatabase } from '@faxgate/store/testing';
import { SimLedger } from './sim-ledger.js';

const ROUTING = {
  numbering: { countryCode: '49', areaCode: '30', localNumberLength: 7, dialLocal: true },
  inbound: { default: 'postoffice' },
};

export const TERMINAL = ['done', 'failed', 'rejected', 'suspended', 'deleted'];

/** Destination of the i-th fax: a local number the gateway dials as these 7 digits. */
export function numberOf(i: number): string {
  return String(5600000 + i);
}

/** A small page with a pattern of its own: solid bars, so it codes to about 1 KB of MMR. */
export function testPage(seed: number, height = 400): BilevelPage {
  const page = createPage(1728, height, 'standard');
  const x0 = 100 + (seed % 97) * 7;
  for (let y = 10; y < height - 10; y += 16) {
    for (let x = x0; x < x0 + 200 + (y % 300); x++) setPixel(page, x, y, true);
  }
  return page;
}

export interface WorldOptions {
  faxes: number;
  /** Simulator time factor (> 0: calls take time and overlap). */
  timeFactor: number;
  bChannels: number;
  redisUrl: string;
  redisPrefix: string;
  transport: 'rcapi' | 'native';
  queue: FaxgateConfigInput['queue'];
  /** Numbers of controller 1 that callers can dial (incoming calls); default none. */
  msns?: string[];
}

export interface SentFax {
  id: number;
  number: string;
}

export class World {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faxgate-e2e-'));
  private queue?: SendQueue;
  private submitter?: ReturnType<World['openSubmitter']>;
  private constructor(
    readonly opts: WorldOptions,
    readonly testDb: TestDatabase,
    readonly db: Knex,
    readonly sim: Simulator,
    readonly ledger: SimLedger,
    private readonly owner: number,
    private readonly outbox: number,
  ) {}

  static async create(opts: WorldOptions): Promise<World> {
    const testDb = await createTestDatabase('faxgate_e2e');
    const db = openDatabase(testDb.url, { poolMax: 5 });
    await migrate(db, auditMigrations);
    const user = await users.add(db, { name: 'alice', roles: ['user'] });
    const out = await mailboxes.add(db, { name: 'alice-out', kind: 'outgoing' });
    await mailboxes.add(db, { name: 'postoffice', kind: 'incoming' });
    await grants.grant(db, { user: 'alice', mailbox: 'alice-out', right: 'out.send' });
    const parties: Record<string, PartyBehaviour> = {};
    for (let i = 0; i < opts.faxes; i++) parties[numberOf(i)] = { kind: 'fax', csi: `E2E ${i}` };
    const sim = await startSimulator({
      timeFactor: opts.timeFactor,
      parties,
      controllers: [
        { bChannels: opts.bChannels, ...(opts.msns ? { msns: opts.msns } : {}) },
        { bChannels: opts.bChannels },
      ],
    });
    return new World(opts, testDb, db, sim, new SimLedger(sim), user.id, out.id);
  }

  /**
   * The configuration the daemon runs with (written to its faxgate.yaml). With `node`, one of
   * several daemons on this database: its node name, its own controllers, directories of its own.
   */
  daemonConfig(node?: { name: string; controllers: number[] }): Record<string, unknown> {
    const dir = node ? path.join(this.dir, node.name) : this.dir;
    return {
      ...(node ? { node: { name: node.name } } : {}),
      api: { port: 0 },
      // The e2e daemon runs as the test database's superuser (it owns every table).
      database: { allowPrivileged: true },
      logging: { level: 'info', format: 'json' },
      paths: { spool: path.join(dir, 'spool'), tmp: path.join(dir, 'tmp') },
      audit: {
        checkpointDir: path.join(dir, 'checkpoints'),
        checkpointKeyFile: path.join(dir, 'key', 'audit-checkpoint.key'),
      },
      redis: { keyPrefix: this.opts.redisPrefix },
      lines: {
        transport: this.opts.transport,
        port: this.sim.port,
        controllers: node?.controllers ?? [1, 2],
      },
      routing: ROUTING,
      queue: { enabled: true, stationId: '+49 30 1234567', ...this.opts.queue },
    };
  }

  /** libcapi20's configuration for the native transport, in a HOME of its own. */
  nativeHome(): string {
    const home = path.join(this.dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    // The last line must end in a newline: libcapi20 chops each line's last character.
    fs.writeFileSync(path.join(home, '.capi20rc'), `REMOTE rcapi 127.0.0.1 ${this.sim.port}\nTRACELEVEL 0\n`);
    return home;
  }

  /** Submits fax i (to numberOf(i)) as alice, queued on Redis like `faxgate send` does. */
  async submit(i: number, pages: BilevelPage[] = [testPage(i)]): Promise<SentFax> {
    this.submitter ??= this.openSubmitter();
    const { queue, router, settings } = await this.submitter;
    const r = await submitFax(
      { db: this.db, queue, router, settings },
      { actor: this.owner, mailboxId: this.outbox, number: numberOf(i), pages },
    );
    if (r.outcome !== 'queued' || !r.enqueued)
      throw new Error(`fax ${i}: ${r.outcome}, enqueued ${r.enqueued}`);
    return { id: r.fax.id, number: numberOf(i) };
  }

  private async openSubmitter() {
    const { config } = validateConfig(
      { ...this.daemonConfig(), database: { url: this.testDb.url, allowPrivileged: true } },
      { FAXGATE_REDIS_URL: this.opts.redisUrl },
    );
    this.queue = openSendQueue(config);
    const router = createRouter(
      ROUTING,
      (await mailboxes.list(this.db)).map((m) => ({
        id: m.id,
        name: m.name,
        kind: m.kind,
        numbers: m.numbers,
      })),
    );
    return { queue: this.queue, router, settings: queueSettings(config) };
  }

  async rows(ids: number[]): Promise<Fax[]> {
    return Promise.all(ids.map((id) => faxes.get(this.db, id)));
  }

  async countIn(ids: number[], states: string[]): Promise<number> {
    const r = await this.db('faxes').whereIn('id', ids).whereIn('state', states).count({ n: '*' });
    return Number(r[0].n);
  }

  /** Polls until every fax is terminal; on timeout names the ones stuck and their state. */
  async waitAllTerminal(ids: number[], timeoutMs: number, context: () => string = () => ''): Promise<Fax[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const open = await this.db('faxes')
        .whereIn('id', ids)
        .whereNotIn('state', TERMINAL)
        .select('id', 'state', 'dials', 'cause');
      if (open.length === 0) return this.rows(ids);
      if (Date.now() > end) {
        const list = open
          .slice(0, 30)
          .map(
            (f: { id: number; state: string; dials: number; cause: string | null }) =>
              `fax ${f.id}: ${f.state} (dials ${f.dials}, cause ${f.cause ?? '-'})`,
          )
          .join('\n  ');
        throw new Error(
          `${open.length} of ${ids.length} faxes not terminal after ${timeoutMs / 1000} s:\n  ${list}\n${context()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Audit event types of one fax, oldest first. */
  async auditTypes(faxId: number): Promise<string[]> {
    const rows = await this.db('audit_events').where({ fax_id: faxId }).orderBy('id').select('type');
    return rows.map((e: { type: string }) => e.type);
  }

  /** Result codes of the fax's records in the send log (xferfaxlog), oldest first. */
  async sendLog(faxId: number, type = 'SEND'): Promise<string[]> {
    const rows = await this.db('xfer_log').where({ fax_id: faxId, type }).orderBy('id').select('result_code');
    return rows.map((r: { result_code: string }) => r.result_code);
  }

  async verifyAudit() {
    return verifyAuditChain(this.db);
  }

  async close(): Promise<void> {
    this.ledger.close();
    await this.queue?.close().catch(() => {});
    await this.sim.close().catch(() => {});
    await this.db.destroy().catch(() => {});
    await this.testDb.drop().catch(() => {});
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
