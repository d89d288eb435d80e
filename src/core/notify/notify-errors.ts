// The notification area's errors, built from the catalog with the words of the situation.
import { GrappeError } from '../errors.ts';

export const notifyErrors = {
  noSuchTarget: (name: string, names: readonly string[]) =>
    new GrappeError('noSuchNotifyTarget', `no notification target '${name}' (targets: ${names.join(', ') || 'none yet'})`, { target: name }),
  noSuchRule: (name: string) => new GrappeError('noSuchNotifyRule', `no notification rule '${name}'`, { rule: name }),
  nameTaken: (what: 'target' | 'rule', name: string) => new GrappeError('notifyNameTaken', `a notification ${what} named '${name}' exists already`, { name }),
  targetInUse: (target: string, rules: readonly string[]) =>
    new GrappeError('notifyTargetInUse', `target '${target}' is used by rule(s) ${rules.join(', ')}: delete or change them first`, {
      target,
      rules: [...rules],
    }),
  deliveryFailed: (target: string, attempts: number, detail: string) =>
    new GrappeError('notifyDeliveryFailed', `the test notification to '${target}' failed after ${attempts} attempt(s): ${detail}`, {
      target,
      attempts,
      detail,
    }),
};
