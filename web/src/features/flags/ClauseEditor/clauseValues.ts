import { type AttributeOperator, type ClauseValue, OPERAND_KINDS, OPERATOR_TABLE } from '@signalbox/sdk/core';
import { splitList } from '../../../components/common/format';

/** A regular expression may contain commas, so `matches` takes one value per line. */
export const isOnePerLine = (op: AttributeOperator): boolean => OPERATOR_TABLE[op].operand === 'regex';

/** True when the operator compares with no values (`exists`). */
export const takesNoValues = (op: AttributeOperator): boolean => OPERAND_KINDS[OPERATOR_TABLE[op].operand].arity === 'none';

/** What the values input shows while empty: the operator's kind of value, from the core's table. */
export const valuesPlaceholder = (op: AttributeOperator): string => {
  const { description, example } = OPERAND_KINDS[OPERATOR_TABLE[op].operand];
  if (isOnePerLine(op)) return `${description}, one per line`;
  return example === null ? description : `comma-separated ${description}, e.g. ${String(example)}`;
};

// An ISO-8601 date always has dashes after the year, so digits alone are epoch milliseconds.
const EPOCH_MILLIS = /^-?\d+$/;

const finiteOrText = (item: string): ClauseValue => {
  const number = Number(item);
  return Number.isFinite(number) ? number : item;
};

/**
 * Values typed as text → typed clause values, as the operator's operand kind reads them: numbers for
 * numeric operators, epoch milliseconds for digits given to a date operator, strings otherwise. Text
 * that is not a number stays text, so the server can say what is wrong with it.
 */
export const parseClauseValues = (text: string, op: AttributeOperator): ClauseValue[] => {
  if (takesNoValues(op)) return [];
  const items = isOnePerLine(op)
    ? text
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
    : splitList(text);
  switch (OPERATOR_TABLE[op].operand) {
    case 'number':
      return items.map(finiteOrText);
    case 'date':
      return items.map((item) => (EPOCH_MILLIS.test(item) ? Number(item) : item));
    default:
      return items;
  }
};

export const formatClauseValues = (values: ClauseValue[], op: AttributeOperator): string => values.map(String).join(isOnePerLine(op) ? '\n' : ', ');
