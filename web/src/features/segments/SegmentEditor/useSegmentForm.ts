import { useState } from 'react';
import { type ChangeRequest, isChangeRequestCreated } from '../../../api/changeRequests';
import { ApiError } from '../../../api/client';
import { type SegmentView, useSaveSegment } from '../../../api/segments';
import type { AttributeClause, SegmentRule } from '@signalbox/sdk/core';
import { type FieldErrors, toFieldErrors, withoutField } from '../../../components/common/fieldErrors';
import { splitList } from '../../../components/common/format';
import { sameJson } from '../../../components/common/diffJson';

export const useSegmentForm = (
  project: string,
  segment: SegmentView | null,
  onSaved: (segment: SegmentView) => void,
  onRequested: (request: ChangeRequest) => void,
) => {
  const [key, setKey] = useState(segment?.key ?? '');
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [included, setIncluded] = useState((segment?.included ?? []).join(', '));
  const [excluded, setExcluded] = useState((segment?.excluded ?? []).join(', '));
  const [rules, setRulesState] = useState<SegmentRule[]>(segment?.rules ?? []);
  const [version, setVersion] = useState<number | null>(segment?.version ?? null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useSaveSegment(project);

  // Editing a field clears its messages; the others stay until the next save.
  const edited = (path: string) => setErrors((current) => withoutField(current, path));
  const editor =
    <T>(path: string, setter: (value: T) => void) =>
    (value: T) => {
      setter(value);
      edited(path);
    };
  // Adding or removing a rule or condition renumbers the ones after it: their messages would name the wrong ones.
  const setRules = (change: SegmentRule[] | ((list: SegmentRule[]) => SegmentRule[])) => {
    setRulesState(change);
    edited('rules');
  };
  const setClause = (r: number, c: number, clause: AttributeClause) => {
    const path = `rules[${r}].clauses[${c}]`;
    const before = rules[r]?.clauses[c];
    setRulesState((list) => list.map((rule, i) => (i === r ? { clauses: rule.clauses.map((x, j) => (j === c ? clause : x)) } : rule)));
    setErrors((current) => {
      // A message on the condition as a whole goes with any change to it; one on a part, when that part changes.
      let left = Object.fromEntries(Object.entries(current).filter(([field]) => field !== path));
      for (const part of ['attribute', 'op', 'values'] as const) {
        if (!before || !sameJson(before[part], clause[part])) left = withoutField(left, `${path}.${part}`);
      }
      return left;
    });
  };

  const submit = async () => {
    const found: FieldErrors = {};
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(key)) found.key = ['lowercase letters, digits, ".", "-" and "_"'];
    if (!name.trim()) found.name = ['give the segment a name'];
    rules.forEach((rule, r) =>
      rule.clauses.forEach((clause, c) => {
        if (!clause.attribute.trim()) found[`rules[${r}].clauses[${c}].attribute`] = ['name the context attribute'];
        if (clause.op !== 'exists' && clause.values.length === 0) found[`rules[${r}].clauses[${c}].values`] = ['give at least one value'];
      }),
    );
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    try {
      const saved = await save.mutateAsync({
        key,
        version,
        change: { name: name.trim(), description: description.trim() || undefined, included: splitList(included), excluded: splitList(excluded), rules },
      });
      // Used in an environment that requires approval: nothing was written, the update waits in a change request.
      if (isChangeRequestCreated(saved)) {
        onRequested(saved.changeRequest);
        return;
      }
      setVersion(saved.version);
      onSaved(saved);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VERSION_CONFLICT') {
        setFormError('Someone else changed this segment while you were editing. Reload it to see their change, then edit again.');
        return;
      }
      if (error instanceof ApiError && error.fieldErrors.length > 0) setErrors(toFieldErrors(error.fieldErrors));
      setFormError(error instanceof Error ? error.message : 'Could not save');
    }
  };

  // Against what the editor opened with: leaving the page asks first while this is true.
  const [initial] = useState(() => ({ key, name, description, included, excluded, rules }));
  const dirty = !sameJson(initial, { key, name, description, included, excluded, rules });

  return {
    dirty,
    isNew: segment === null,
    key,
    setKey: editor('key', setKey),
    name,
    setName: editor('name', setName),
    description,
    setDescription: editor('description', setDescription),
    included,
    setIncluded: editor('included', setIncluded),
    excluded,
    setExcluded: editor('excluded', setExcluded),
    rules,
    setRules,
    setClause,
    errors,
    formError,
    saving: save.isPending,
    submit,
  };
};
