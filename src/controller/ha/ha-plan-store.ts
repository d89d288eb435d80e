// Each guest's HA plan, a record of its own: `/ha/plans/<guest id>`. They were all in `/ha/config`
// up to its version 2, so setting one plan read, parsed and wrote every plan (2.4 MB at 25,000
// guests: creating and protecting guests grew quadratically), and the HA loop parsed them all again
// at each change. Read from a mirror kept by the store's watch (record-mirror.ts).
import { haPlanRecord, type HaPlanRecord } from '../../contract/ha.contract.ts';
import type { Json, Op } from '../../store/store.ts';
import { LazyMirror, RecordMirror } from '../platform/record-mirror.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';
import { defineRecordKind, storedValue } from '../platform/stored-records.ts';
import type { ControllerContext } from '../platform/types.ts';

export const HA_PLANS_PREFIX = '/ha/plans/';

export const haPlanKey = (guestId: string): string => HA_PLANS_PREFIX + guestId;

export const HA_PLAN_RECORD = defineRecordKind<HaPlanRecord>({
  name: 'HA plan',
  version: 1,
  migrations: {},
  schema: haPlanRecord,
  fix: "unset the guest's plan (`grappe ha unset <guest>`) and set it again",
});

export const haPlanValue = (plan: HaPlanRecord): Json => storedValue(HA_PLAN_RECORD, plan);

export const putPlanOp = (guestId: string, plan: HaPlanRecord): Op => ({ put: haPlanKey(guestId), value: haPlanValue(plan) });

type Plans = Readonly<Record<string, HaPlanRecord>>;

/** The mirror, and the plans as one object, rebuilt only after a change (readers keep it for a round). */
class PlansView {
  private built: { readonly generation: number; readonly plans: Plans } | undefined;

  constructor(private readonly mirror: LazyMirror<HaPlanRecord>) {}

  async plans(): Promise<Plans> {
    const mirror = await this.mirror.get();
    if (this.built?.generation !== mirror.generation) {
      const plans: Record<string, HaPlanRecord> = {};
      for (const e of mirror.unordered()) plans[e.key.slice(HA_PLANS_PREFIX.length)] = e.record;
      this.built = { generation: mirror.generation, plans };
    }
    return this.built.plans;
  }
}

const PLANS_VIEW = runtimeSlot(
  'HA plans mirror',
  (ctx: ControllerContext) => new PlansView(new LazyMirror(() => RecordMirror.load(ctx.store, HA_PLANS_PREFIX, HA_PLAN_RECORD))),
);

/** Every guest's plan (guest id → plan), from the controller's mirror; the same object until one changes. */
export function readHaPlans(ctx: Pick<ControllerContext, 'runtimes'>): Promise<Plans> {
  return ctx.runtimes.get(PLANS_VIEW).plans();
}
