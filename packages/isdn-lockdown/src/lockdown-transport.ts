// A CapiTransport whose applications are all locked down: the call layer (CapiSession,
// sendFax, receiveFaxes) runs on top unchanged, over either transport.
import type { CapiApplication, CapiTransport, CapiVersion, RegisterParams } from '@faxgate/capi-bindings';
import { newCounters } from './events.js';
import { LockdownApplication, type LockdownOptions } from './lockdown-application.js';

export class LockdownTransport implements CapiTransport {
  readonly counters;

  constructor(
    private readonly inner: CapiTransport,
    private readonly options: LockdownOptions,
  ) {
    this.counters = options.counters ?? newCounters();
  }

  get kind(): CapiTransport['kind'] {
    return this.inner.kind;
  }

  isInstalled(): Promise<boolean> {
    return this.inner.isInstalled();
  }

  async register(p: RegisterParams): Promise<CapiApplication> {
    const app = await this.inner.register(p);
    return new LockdownApplication(app, { ...this.options, counters: this.counters });
  }

  getProfile(controller: number): Promise<Uint8Array> {
    return this.inner.getProfile(controller);
  }

  getManufacturer(controller: number): Promise<string> {
    return this.inner.getManufacturer(controller);
  }

  getVersion(controller: number): Promise<CapiVersion> {
    return this.inner.getVersion(controller);
  }

  getSerialNumber(controller: number): Promise<string> {
    return this.inner.getSerialNumber(controller);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
