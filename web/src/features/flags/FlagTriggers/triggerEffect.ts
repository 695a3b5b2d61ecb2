import type { components } from '../../../api/schema';

export type TriggerEffect = components['schemas']['TriggerEffectResponse'];
export type TriggerEffectType = TriggerEffect['type'];

/** The choices, in the order an operator thinks of them; the label completes "When an alert fires, …". */
export const EFFECT_CHOICES: ReadonlyArray<{ type: TriggerEffectType; label: string }> = [
  { type: 'kill', label: 'kill the flag' },
  { type: 'turn-off', label: 'turn the flag off' },
  { type: 'turn-on', label: 'turn the flag on' },
  { type: 'serve-variant', label: 'serve a variant by default' },
  { type: 'set-rollout', label: 'set a rollout percentage' },
  { type: 'pause-rollout', label: 'pause the rollout plan' },
  { type: 'resume-rollout', label: 'resume the rollout plan' },
  { type: 'abort-rollout', label: 'abort the rollout plan' },
];

/** What "when the alert resolves" does for each effect; null: nothing to undo (the server refuses restoreOnResolve). */
export const undoLabel = (type: TriggerEffectType): string | null => {
  switch (type) {
    case 'kill':
      return 'Restore when the alert resolves';
    case 'turn-off':
      return 'Turn back on when the alert resolves';
    case 'turn-on':
      return 'Turn back off when the alert resolves';
    case 'pause-rollout':
      return 'Resume when the alert resolves';
    case 'resume-rollout':
      return 'Pause again when the alert resolves';
    default:
      return null;
  }
};

/** One line for the list, e.g. "serves v2 to 25% (rest v1)". */
export const describeEffect = (effect: TriggerEffect): string => {
  switch (effect.type) {
    case 'serve-variant':
      return `serves ${effect.variant} by default`;
    case 'set-rollout':
      return `rolls ${effect.variant} out to ${effect.percentage}% (rest ${effect.restVariant})`;
    default:
      return EFFECT_CHOICES.find((c) => c.type === effect.type)?.label.replace(/^(\w+) /, (verb) => `${verb.trim()}s `) ?? effect.type;
  }
};
