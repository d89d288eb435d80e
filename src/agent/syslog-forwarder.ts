// Sends the agent's log lines to a syslog collector over UDP (RFC 5424). Best effort: a lost
// datagram or an unresolvable collector never disturbs the agent.
import { createSocket, type Socket } from 'node:dgram';
import { hostname } from 'node:os';
import type { LogSink } from './logger.ts';
import { formatRfc5424, type SyslogAddress } from './syslog-format.ts';

export class SyslogForwarder {
  private socket: Socket | undefined;

  /** A log sink sending every line to `to`; replaces any previous destination. */
  sinkTo(to: SyslogAddress): LogSink {
    this.close();
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    socket.unref();
    this.socket = socket;
    return (level, _msg, line) => {
      const text = formatRfc5424({ level, time: new Date(), hostname: hostname(), appName: 'grappe-agent', procId: process.pid, msg: line });
      socket.send(text, to.port, to.host, () => undefined);
    };
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}
