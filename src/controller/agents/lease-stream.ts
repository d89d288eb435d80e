// The controller's end of the lease stream (ha-agent.contract.ts): one WebSocket per host carrying
// lease renewals as messages, matched to their answers by sequence number. A renewal over HTTP cost
// about 0.4 ms of controller CPU (request, headers, pooling, timers); as a message, a fraction of it,
// which is what lets one controller renew 1,000 leases a second (scale benchmark). A stream that
// misses an answer is dropped (the next renewal opens another); an agent without the endpoint is
// renewed over POST lease, and asked again after a while (it may have been updated).
import type { WebSocket, RawData } from 'ws';
import { leaseStreamAnswer, type HaLeaseRequest, type HaLeaseResponse } from '../../contract/ha-agent.contract.ts';
import { isErrorCode } from '../../core/error-catalog.ts';
import { GrappeError, errors, relayedError } from '../../core/errors.ts';

/** The agent answered the upgrade with 404: it predates the stream. */
export class LeaseStreamUnsupported extends Error {}

interface Pending {
  readonly resolve: (lease: HaLeaseResponse) => void;
  readonly reject: (err: GrappeError) => void;
  readonly timer: NodeJS.Timeout;
}

const text = (data: RawData): string => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');

export class LeaseStream {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  private readonly closers: Array<() => void> = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly hostLabel: string,
    /** How the host is named in errors ("host 'x' at a:p"). */
    private readonly where: string,
  ) {
    ws.on('message', (data) => this.onMessage(text(data)));
    ws.on('close', () => this.end(errors.unreachable(where, 'the lease stream closed')));
    ws.on('error', (e) => this.end(errors.unreachable(where, `lease stream: ${e.message}`)));
  }

  /** Called once when the stream ends, whatever ended it. */
  onEnd(f: () => void): void {
    if (this.closed) f();
    else this.closers.push(f);
  }

  renew(req: HaLeaseRequest, timeoutMs: number): Promise<HaLeaseResponse> {
    if (this.closed) return Promise.reject(errors.unreachable(this.where, 'the lease stream closed'));
    const seq = this.seq++;
    return new Promise<HaLeaseResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Judged after the event loop's pending I/O: when the controller itself was busy past the
        // limit, timers run before the sockets are read, and the answer is likely already waiting
        // (dropping every stream then made 2,500 new handshakes at once, and the next round late too).
        setImmediate(() => {
          // A silent stream is not trusted again: the next renewal opens a new one.
          if (this.pending.has(seq)) this.end(errors.unreachable(this.where, `no answer within ${timeoutMs} ms`));
        });
      }, timeoutMs);
      this.pending.set(seq, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ seq, lease: req }), (err) => {
        if (err) this.end(errors.unreachable(this.where, `lease stream: ${err.message}`));
      });
    });
  }

  close(): void {
    this.end(errors.unreachable(this.where, 'the lease stream was closed by the controller'));
  }

  private onMessage(raw: string): void {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return this.end(errors.agentFailed(this.hostLabel, 'it sent a lease stream message that is not JSON'));
    }
    const parsed = leaseStreamAnswer.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return this.end(errors.agentFailed(this.hostLabel, `it answered an invalid lease answer (${why})`));
    }
    const answer = parsed.data;
    const seq = answer.seq;
    const waiting = seq === undefined ? undefined : this.pending.get(seq);
    if ('error' in answer) {
      const { code, message } = answer.error;
      const err = isErrorCode(code)
        ? relayedError(code, `host '${this.hostLabel}': ${message}`, { agentHost: this.hostLabel })
        : errors.agentFailed(this.hostLabel, message);
      // An error without a renewal to answer means the stream itself is broken.
      if (!waiting || seq === undefined) return this.end(err);
      this.settle(seq, waiting, () => waiting.reject(err));
      return;
    }
    if (waiting && seq !== undefined) this.settle(seq, waiting, () => waiting.resolve(answer.lease));
  }

  private settle(seq: number, p: Pending, f: () => void): void {
    clearTimeout(p.timer);
    this.pending.delete(seq);
    f();
  }

  private end(err: GrappeError): void {
    if (this.closed) return;
    this.closed = true;
    for (const [seq, p] of this.pending) this.settle(seq, p, () => p.reject(err));
    this.ws.terminate();
    for (const f of this.closers.splice(0)) f();
  }
}

/** How long an agent without the endpoint is renewed over HTTP before the stream is tried again. */
const UNSUPPORTED_RETRY_MS = 5 * 60_000;

/** The open lease streams of one controller, by agent endpoint (owned by AgentConnections). */
export class LeaseStreams {
  private readonly streams = new Map<string, Promise<LeaseStream>>();
  private readonly unsupportedUntil = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /**
   * Renews over the endpoint's stream (opened with `open` when there is none), or with `overHttp`
   * when the agent has no stream endpoint. Opening and answering have `timeoutMs` each: a share of
   * what is left after a slow opening (thousands of handshakes when HA starts) would time the
   * renewal out at once and drop a healthy stream for everyone.
   */
  async renew(
    endpoint: string,
    req: HaLeaseRequest,
    timeoutMs: number,
    open: (timeoutMs: number) => Promise<LeaseStream>,
    overHttp: () => Promise<HaLeaseResponse>,
  ): Promise<HaLeaseResponse> {
    const started = this.now();
    const until = this.unsupportedUntil.get(endpoint);
    if (until !== undefined && started < until) return overHttp();
    let opening = this.streams.get(endpoint);
    if (!opening) {
      const made = open(timeoutMs);
      opening = made;
      this.streams.set(endpoint, made);
      const forget = (): void => {
        if (this.streams.get(endpoint) === made) this.streams.delete(endpoint);
      };
      made.then((s) => s.onEnd(forget), forget);
    }
    let stream: LeaseStream;
    try {
      stream = await opening;
    } catch (err) {
      if (!(err instanceof LeaseStreamUnsupported)) throw err;
      this.unsupportedUntil.set(endpoint, started + UNSUPPORTED_RETRY_MS);
      return overHttp();
    }
    return stream.renew(req, timeoutMs);
  }

  /** Closes every stream (controller shutdown). */
  close(): void {
    for (const s of this.streams.values())
      void s.then(
        (stream) => stream.close(),
        () => undefined,
      );
    this.streams.clear();
  }
}
