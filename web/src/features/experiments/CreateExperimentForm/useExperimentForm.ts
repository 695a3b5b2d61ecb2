import { useState } from 'react';
import { ApiError, errorMessage } from '../../../api/client';
import { type Experiment, type MetricType, type NewExperiment, useCreateExperiment } from '../../../api/experiments';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { type GuardrailDraft, newGuardrail } from '../GuardrailFields/GuardrailFields';

const KEY = /^[a-z0-9][a-z0-9._-]*$/;

const optionalNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));

/** The "new experiment" form: which flag and variants, the primary metric, and the statistical settings. */
export const useExperimentForm = (project: string, initialEnvironment: string, onCreated: (experiment: Experiment) => void) => {
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [flag, setFlagState] = useState('');
  const [environment, setEnvironment] = useState(initialEnvironment);
  const [controlVariant, setControlVariant] = useState('');
  const [treatmentVariants, setTreatmentVariants] = useState<string[]>([]);
  const [metricName, setMetricName] = useState('');
  const [metricType, setMetricType] = useState<MetricType>('rate');
  const [better, setBetter] = useState<'increase' | 'decrease'>('increase');
  const [alpha, setAlpha] = useState('0.05');
  const [power, setPower] = useState('0.8');
  const [mde, setMde] = useState('');
  const [baseline, setBaseline] = useState('');
  const [analysis, setAnalysis] = useState<'sequential' | 'fixed-horizon'>('sequential');
  const [maxDuration, setMaxDuration] = useState('');
  const [autoRollback, setAutoRollback] = useState(false);
  const [numerator, setNumerator] = useState('');
  const [denominator, setDenominator] = useState('');
  const [cuped, setCuped] = useState(false);
  const [segmentBy, setSegmentBy] = useState('');
  const [guardrails, setGuardrails] = useState<GuardrailDraft[]>([]);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useCreateExperiment(project);

  const setFlag = (next: string, variants: string[]) => {
    setFlagState(next);
    // A new flag has other variants: start from its first as control and the rest as treatments.
    setControlVariant(variants[0] ?? '');
    setTreatmentVariants(variants.slice(1, 2));
  };

  const addGuardrail = () => setGuardrails((rows) => [...rows, newGuardrail()]);
  const setGuardrail = (index: number, change: Partial<GuardrailDraft>) =>
    setGuardrails((rows) => rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const removeGuardrail = (index: number) => setGuardrails((rows) => rows.filter((_, i) => i !== index));

  const toggleTreatment = (variant: string, on: boolean) =>
    setTreatmentVariants((current) => (on ? [...current.filter((v) => v !== variant), variant] : current.filter((v) => v !== variant)));

  const build = (): { experiment?: NewExperiment; errors: FieldErrors } => {
    const next: FieldErrors = {};
    if (!KEY.test(key.trim())) next.key = ['lowercase letters, digits, ".", "_" or "-", e.g. checkout-v2-vs-v1'];
    if (!flag) next.flag = ['pick the flag whose variants are compared'];
    if (!controlVariant) next.controlVariant = ['pick the variant serving today'];
    const treatments = treatmentVariants.filter((v) => v !== controlVariant);
    if (treatments.length === 0) next.treatmentVariants = ['pick at least one variant other than control'];
    if (!metricName.trim()) next['primaryMetric.name'] = ['name a metric the SDK tracks, e.g. converted'];
    const ratio = metricType === 'ratio';
    if (ratio && !numerator.trim()) next['primaryMetric.numerator'] = ['the metric summed above the line, e.g. pipeline.errors'];
    if (ratio && !denominator.trim()) next['primaryMetric.denominator'] = ['the metric summed below the line, e.g. pipeline.rows'];
    const minimumDetectableEffect = optionalNumber(mde);
    if (minimumDetectableEffect === undefined || !(minimumDetectableEffect > 0))
      next.minimumDetectableEffect = ['a positive number in the metric unit, e.g. 0.02 for two points of a rate'];
    const numbers = {
      alpha: optionalNumber(alpha),
      power: optionalNumber(power),
      baseline: optionalNumber(baseline),
      maxDuration: optionalNumber(maxDuration),
    };
    if (numbers.maxDuration !== undefined && Number.isNaN(numbers.maxDuration)) next.maxDurationHours = ['a number of hours, e.g. 168'];
    if (numbers.alpha !== undefined && Number.isNaN(numbers.alpha)) next.alpha = ['a number, e.g. 0.05'];
    if (numbers.power !== undefined && Number.isNaN(numbers.power)) next.power = ['a number, e.g. 0.8'];
    if (numbers.baseline !== undefined && Number.isNaN(numbers.baseline)) next[metricType === 'rate' ? 'baselineRate' : 'assumedStdDev'] = ['a number'];
    const guardrailMetrics = guardrails.filter((g) => g.name.trim() !== '').map((g) => ({ name: g.name.trim(), type: g.type, better: g.better }));
    if (Object.keys(next).length > 0) return { errors: next };
    return {
      errors: {},
      experiment: {
        key: key.trim(),
        name: name.trim() || undefined,
        flag,
        environment,
        controlVariant,
        treatmentVariants: treatments,
        primaryMetric: ratio
          ? { name: metricName.trim(), type: metricType, better, numerator: numerator.trim(), denominator: denominator.trim() }
          : { name: metricName.trim(), type: metricType, better },
        ...(guardrailMetrics.length > 0 ? { guardrailMetrics } : {}),
        alpha: numbers.alpha,
        power: numbers.power,
        minimumDetectableEffect: minimumDetectableEffect as number,
        ...(metricType === 'rate' ? { baselineRate: numbers.baseline } : { assumedStdDev: numbers.baseline }),
        analysis,
        ...(numbers.maxDuration !== undefined ? { maxDurationHours: numbers.maxDuration } : {}),
        ...(autoRollback ? { autoRollback } : {}),
        ...(cuped && !ratio ? { cuped } : {}),
        ...(segmentBy.trim() && !ratio ? { segmentBy: segmentBy.trim() } : {}),
      },
    };
  };

  // Editing a field clears its own messages (the form's and the API's); the other fields' stay.
  const clearing =
    <T>(set: (value: T) => void, ...paths: string[]) =>
    (value: T) => {
      set(value);
      setErrors((current) => paths.reduce(withoutField, withoutField(current, 'form')));
    };

  const submit = async () => {
    const { experiment, errors: local } = build();
    setErrors(local);
    if (!experiment) return;
    try {
      onCreated(await create.mutateAsync(experiment));
    } catch (error) {
      setErrors(error instanceof ApiError && error.fieldErrors.length > 0 ? toFieldErrors(error.fieldErrors) : { form: [errorMessage(error)] });
    }
  };

  return {
    key,
    setKey: clearing(setKey, 'key'),
    name,
    setName: clearing(setName, 'name'),
    flag,
    setFlag: (next: string, variants: string[]) => {
      setFlag(next, variants);
      setErrors((current) => ['flag', 'controlVariant', 'treatmentVariants', 'form'].reduce(withoutField, current));
    },
    environment,
    setEnvironment: clearing(setEnvironment, 'environment'),
    controlVariant,
    setControlVariant: clearing(setControlVariant, 'controlVariant', 'treatmentVariants'),
    treatmentVariants,
    toggleTreatment: (variant: string, on: boolean) => {
      toggleTreatment(variant, on);
      setErrors((current) => ['treatmentVariants', 'form'].reduce(withoutField, current));
    },
    metricName,
    setMetricName: clearing(setMetricName, 'primaryMetric.name'),
    metricType,
    setMetricType: clearing(setMetricType, 'primaryMetric.type', 'baselineRate', 'assumedStdDev'),
    better,
    setBetter: clearing(setBetter, 'primaryMetric.better'),
    alpha,
    setAlpha: clearing(setAlpha, 'alpha'),
    power,
    setPower: clearing(setPower, 'power'),
    mde,
    setMde: clearing(setMde, 'minimumDetectableEffect'),
    baseline,
    setBaseline: clearing(setBaseline, 'baselineRate', 'assumedStdDev'),
    analysis,
    setAnalysis: clearing(setAnalysis, 'analysis'),
    maxDuration,
    setMaxDuration: clearing(setMaxDuration, 'maxDurationHours'),
    autoRollback,
    setAutoRollback: clearing(setAutoRollback, 'autoRollback'),
    numerator,
    setNumerator: clearing(setNumerator, 'primaryMetric.numerator'),
    denominator,
    setDenominator: clearing(setDenominator, 'primaryMetric.denominator'),
    cuped,
    setCuped: clearing(setCuped, 'cuped'),
    segmentBy,
    setSegmentBy: clearing(setSegmentBy, 'segmentBy'),
    guardrails,
    addGuardrail,
    setGuardrail: (index: number, change: Partial<GuardrailDraft>) => {
      setGuardrail(index, change);
      setErrors((current) => withoutField(current, `guardrailMetrics[${index}]`));
    },
    // The rows after it move up a place: their messages would stand beside the wrong row.
    removeGuardrail: (index: number) => {
      removeGuardrail(index);
      setErrors((current) => withoutField(current, 'guardrailMetrics'));
    },
    errors,
    submit,
    pending: create.isPending,
  };
};
