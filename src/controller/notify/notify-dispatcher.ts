// Events to notifications: each event of the stream is matched against the rules (kept in memory,
// refreshed by a watch of /notify/), and sent to each target of a matching rule, retried with
// exponential backoff (cockatiel). Every controller runs one, but only the leader sends — except for a
// lost quorum, which a controller that cannot write can only tell from where it stands.
import { ExponentialBackoff, handleAll, retry } from 'cockatiel';
import type { EventView } from '../../contract/event.contract.ts';
import type { DeliveryView, RuleView } from '../../contract/notify.contract.ts';
import { messageOf } from '../../core/errors.ts';
import { kindsOf, ruleMatches } from '../../core/notify/notify-kinds.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext } from '../platform/types.ts';
import { sendNotification, type Notification } from './notify-senders.ts';
import { getTarget, listRules, listTargets, NOTIFY_PREFIX, recordDelivery, type TargetRecord } from './notify-store.ts';

export interface RetryOptions {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** 1 s, 2 s, 4 s, 8 s…: a receiver down for about a minute still gets the notification. */
export const DEFAULT_RETRY: RetryOptions = { attempts: 6, initialDelayMs: 1000, maxDelayMs: 30_000 };

export class NotifyDispatcher {
  private rules: RuleView[] = [];
  private targets = new Map<string, TargetRecord>();
  private reloading: Promise<void> | undefined;
  private unwatch: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly log: ControllerContext['log'],
    private readonly retryOptions: RetryOptions = DEFAULT_RETRY,
  ) {}

  async start(): Promise<void> {
    this.unwatch = this.ctx.store.watch(NOTIFY_PREFIX, (e) => {
      if (!e.key.startsWith('/notify/deliveries/')) void this.reload();
    });
    await this.reload();
    this.unsubscribe = this.ctx.events.subscribe((e) => this.onEvent(e));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unwatch?.();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Sends a test notification to one target now (with the retries), and says how it went. */
  async test(name: string, actor: string): Promise<DeliveryView> {
    const target = await getTarget(this.ctx.store, name);
    const event: EventView = {
      seq: 0,
      at: isoAt(this.ctx.clock),
      type: 'notify.test',
      severity: 'info',
      subject: `notify:${name}`,
      message: `test notification to '${name}', sent by ${actor}`,
    };
    return this.deliver(target, { cluster: this.cluster(), kinds: [], event, test: true });
  }

  private cluster(): Notification['cluster'] {
    return { id: this.ctx.cluster.id, name: this.ctx.cluster.name };
  }

  private reload(): Promise<void> {
    // One reload at a time; a change during a reload is picked up by the next one.
    const next = (this.reloading ?? Promise.resolve()).then(async () => {
      try {
        const [rules, targets] = await Promise.all([listRules(this.ctx.store), listTargets(this.ctx.store)]);
        this.rules = rules;
        this.targets = new Map(targets.map((t) => [t.name, t]));
      } catch (e) {
        this.log('warn', `notification rules could not be read: ${messageOf(e)}`);
      }
    });
    this.reloading = next;
    return next;
  }

  private sendsHere(e: EventView): boolean {
    const plane = this.ctx.controlPlane;
    return !plane || plane.isLeader() || e.type.startsWith('cluster.quorum');
  }

  private onEvent(e: EventView): void {
    if (this.rules.length === 0 || !this.sendsHere(e)) return;
    const targets = new Set(this.rules.filter((r) => ruleMatches(r, e)).flatMap((r) => r.targets));
    if (targets.size === 0) return;
    const n: Notification = { cluster: this.cluster(), kinds: kindsOf(e), event: e };
    for (const name of targets) {
      const target = this.targets.get(name);
      if (!target) continue;
      const p = this.deliver(target, n).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async deliver(target: TargetRecord, n: Notification): Promise<DeliveryView> {
    const policy = retry(handleAll, {
      maxAttempts: this.retryOptions.attempts - 1,
      backoff: new ExponentialBackoff({ initialDelay: this.retryOptions.initialDelayMs, maxDelay: this.retryOptions.maxDelayMs }),
    });
    let attempts = 0;
    let delivery: DeliveryView;
    try {
      const detail = await policy.execute(() => {
        attempts++;
        return sendNotification(target.target, n, this.ctx.clock.now());
      });
      delivery = { at: isoAt(this.ctx.clock), ok: true, attempts, detail, event: n.event.type };
    } catch (e) {
      delivery = { at: isoAt(this.ctx.clock), ok: false, attempts, detail: messageOf(e), event: n.event.type };
      // Logged, never an event: a failing target must not feed notifications about itself.
      this.log('warn', `notification of ${n.event.type} to '${target.name}' failed after ${attempts} attempt(s): ${delivery.detail}`);
    }
    await recordDelivery(this.ctx.store, target.name, delivery).catch(() => undefined); // a follower cannot write
    return delivery;
  }
}
