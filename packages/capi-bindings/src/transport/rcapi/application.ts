import { EventEmitter } from 'node:events';
import { Command, Subcommand } from '../../codec/constants.js';
import { splitFrameBody } from '../../rcapi-wire/frame.js';
import { CapiDownError } from '../errors.js';
import type { CapiApplication } from '../types.js';
import type { RcapiConnection } from './connection.js';

/**
 * An application registered over rcapi: its own TCP connection carrying only its messages.
 * rcapi has no release message; closing the socket releases the application (§2).
 */
export class RcapiApplication extends EventEmitter implements CapiApplication {
  private released = false;
  private downEmitted = false;

  constructor(
    readonly applId: number,
    private readonly conn: RcapiConnection,
    private readonly onReleased: (app: RcapiApplication) => void,
  ) {
    super();
    conn.on('frame', (f: Buffer) => this.onFrame(f));
    conn.on('down', (e: Error) => {
      this.onReleased(this);
      if (this.released || this.downEmitted) return;
      this.downEmitted = true;
      this.emit('down', e);
    });
  }

  private onFrame(f: Buffer): void {
    // The library overwrites the ApplID of incoming messages with the local one (§2).
    f[2] = this.applId & 0xff;
    f[3] = this.applId >> 8;
    const { message, data } = splitFrameBody(f);
    if (f[4] === Command.DATA_B3 && f[5] === Subcommand.IND && data.length > 0) {
      this.emit('message', message, data);
    } else {
      this.emit('message', f);
    }
  }

  get isDown(): boolean {
    return this.conn.isDown;
  }

  async putMessage(raw: Buffer, data?: Uint8Array): Promise<void> {
    if (this.released) throw new CapiDownError(`CAPI application ${this.applId} was released`);
    if (this.conn.isDown) throw this.conn.error ?? new CapiDownError('rcapi connection is down');
    await this.conn.send(raw, data);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.conn.close();
    this.onReleased(this);
  }
}
