// Receivers for notification tests: an HTTP webhook sink that records each request (and can refuse the
// first ones, to exercise retries) and a small SMTP server that accepts mail the way a relay does
// (EHLO, MAIL, RCPT, DATA) and keeps each message. They receive; Grappe's senders are what is tested.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export interface WebhookSink {
  readonly url: string;
  readonly received: ReceivedHook[];
  /** How many requests get HTTP 503 before it accepts (default 0). */
  refuseNext(n: number): void;
  close(): Promise<void>;
}

export async function startWebhookSink(host = '127.0.0.1'): Promise<WebhookSink> {
  const received: ReceivedHook[] = [];
  let refuse = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (refuse > 0) {
        refuse--;
        res.writeHead(503).end('busy');
        return;
      }
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/hook`,
    received,
    refuseNext: (n) => {
      refuse = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
}

/** The Subject header of a received mail, unfolded and decoded (RFC 2047 encoded words, Q or B). */
export function subjectOf(mail: ReceivedMail): string {
  const header = /^Subject: (.*(?:\n[ \t].*)*)/m.exec(mail.data)?.[1] ?? '';
  const unfolded = header.replace(/\?=\s+=\?/g, '?==?').replace(/\n[ \t]/g, ' ');
  return unfolded.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_all, _charset: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpSink(host = '127.0.0.1'): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const server: TcpServer = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    let mail = { from: '', to: [] as string[], data: '' };
    const say = (line: string): boolean => socket.write(`${line}\r\n`);
    say('220 grappe-test-sink ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(mail);
            mail = { from: '', to: [], data: '' };
            say('250 2.0.0 queued');
          } else mail.data += (line.startsWith('..') ? line.slice(1) : line) + '\n';
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') say('250 grappe-test-sink');
        else if (verb === 'MAIL') ((mail.from = /<([^>]*)>/.exec(line)?.[1] ?? ''), say('250 2.1.0 ok'));
        else if (verb === 'RCPT') (mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? ''), say('250 2.1.5 ok'));
        else if (verb === 'DATA') ((inData = true), say('354 end with <CRLF>.<CRLF>'));
        else if (verb === 'RSET') ((mail = { from: '', to: [], data: '' }), say('250 ok'));
        else if (verb === 'QUIT') (say('221 bye'), socket.end());
        else say('502 5.5.2 not implemented');
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { host, port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
