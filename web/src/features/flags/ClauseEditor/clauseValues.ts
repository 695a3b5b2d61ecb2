import type { AttributeOperator, ClauseValue } from '../../../api/types';
import { splitList } from '../../../components/common/format';
import { NUMERIC_OPERATORS } from '../flagConfig';

/** Values typed as text → typed clause values: numbers for numeric operators, strings otherwise. */
export const parseClauseValues = (text: string, op: AttributeOperator): ClauseValue[] => {
  // A regex may contain commas, so it is one value per line.
  const items = op === 'matches' ? text.split('\n').map((s) => s.trim()).filter(Boolean) : splitList(text);
  if (NUMERIC_OPERATORS.includes(op)) return items.map((item) => (Number.isNaN(Number(item)) ? item : Number(item)));
  return items;
};

export const formatClauseValues = (values: ClauseValue[], op: AttributeOperator): string =>
  values.map(String).join(op === 'matches' ? '\n' : ', ');
