/** Metric names the SDK's pipeline helpers record (any other name can be tracked too). */
export const METRICS = {
  /** A gated step's duration in ms; failures count in `errors`. */
  stepDuration: 'step.duration_ms',
  /** A routed model call's duration in ms; failures count in `errors`. */
  modelLatency: 'model.latency_ms',
  /** 1 when the shadow candidate agreed with the primary, 0 when not (mean = agreement rate). */
  shadowAgreement: 'shadow.agreement',
  /** The primary's duration in shadowed calls, in ms; failures count in `errors`. */
  shadowPrimary: 'shadow.primary_ms',
  /** The candidate's duration in ms (the budget when it timed out); failures and timeouts count in `errors`. */
  shadowCandidate: 'shadow.candidate_ms',
  /** 1 per candidate failure or timeout. */
  shadowCandidateErrors: 'shadow.candidate_errors',
} as const;
