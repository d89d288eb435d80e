// One console relay per guest, shared by all its viewers: QEMU serves one client per serial
// socket, and every viewer must see the same output. A relay lives until its guest's console
// goes away (the guest stops), then the next viewer opens a new one.
import { formatGuestId } from '../../contract/shared-rules.ts';
import { AgentError } from '../agent-error.ts';
import { SerialConsole, type ConsoleViewer, type ViewerSink } from '../drivers/serial-console.ts';
import type { GuestRuntime } from '../guest-runtime.ts';
import { ContainerLogConsole } from './container-log-console.ts';
import { guestIdOf } from './guest-specs.ts';

export interface ConsoleRelay {
  attach(sink: ViewerSink): ConsoleViewer;
  close(): void;
  once(event: 'end', fn: () => void): unknown;
}

export class ConsoleRelays {
  private readonly relays = new Map<string, Promise<ConsoleRelay>>();

  constructor(private readonly guests: GuestRuntime) {}

  /** The guest's relay, opened on first use; 404/409 when the guest has no live console. */
  get(idText: string): Promise<ConsoleRelay> {
    const id = formatGuestId(guestIdOf(idText));
    let relay = this.relays.get(id);
    if (!relay) {
      relay = this.open(id);
      this.relays.set(id, relay);
      relay.then(
        (r) => r.once('end', () => this.relays.delete(id)),
        () => this.relays.delete(id),
      );
    }
    return relay;
  }

  private async open(id: string): Promise<ConsoleRelay> {
    if (id.startsWith('vm:')) {
      const { socket, log } = await this.guests.qemu.serialSocket(id);
      const con = new SerialConsole({ socketPath: socket, logPath: log });
      await con.open();
      return con;
    }
    const status = await this.guests.lxc.status(id);
    if (status.state !== 'running') throw new AgentError('guestNotRunning', `console of '${id}' refused: the container is not running`);
    const con = new ContainerLogConsole(this.guests.lxc.consoleLog(id));
    await con.open().catch((e: unknown) => {
      throw new AgentError('consoleUnavailable', `cannot open the console log of '${id}': ${(e as Error).message}`);
    });
    return con;
  }

  close(id: string): void {
    void this.relays.get(id)?.then(
      (r) => r.close(),
      () => undefined,
    );
  }

  closeAll(): void {
    for (const id of this.relays.keys()) this.close(id);
  }
}
