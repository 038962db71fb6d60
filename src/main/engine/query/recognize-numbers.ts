import { ENTITY_WORDS, TIME_UNITS_DAYS, UNITS_MB } from './lexicon.js';
import type { ParseState } from './parse-state.js';
import { isFieldWord, SUPERLATIVES } from './words.js';

/** "… or more" / "… or less" after a number. */
const ORDER_WORDS: Record<string, 'gte' | 'lte'> = {
  more: 'gte',
  greater: 'gte',
  above: 'gte',
  higher: 'gte',
  less: 'lte',
  fewer: 'lte',
  below: 'lte',
  lower: 'lte',
};

/** Numbers: "more than 8 cpus", "memory over 32gb", "between 4 and 8 vcpus", "with 8 cpus". */
export function recogniseNumbers(s: ParseState): boolean {
  const i = s.i;
  const w = s.n(i);
  const n = (k: number): string => s.n(k);

  // "more memory than 64 gb", "fewer vms than 10".
  if (
    ['more', 'less', 'fewer', 'greater'].includes(w) &&
    isFieldWord(n(i + 1)) &&
    n(i + 2) === 'than' &&
    s.isNum(i + 3)
  ) {
    const tail = s.numberTail(i + 3)!;
    s.push({
      t: 'num',
      fieldWord: n(i + 1),
      op: w === 'more' || w === 'greater' ? 'gt' : 'lt',
      value: tail.value,
      unit: tail.unit,
    });
    s.i = tail.next;
    return true;
  }

  let fieldBefore: string | undefined;
  let k = i;
  if (isFieldWord(w) && !ENTITY_WORDS[w]) {
    fieldBefore = w === 'free' && n(i + 1) === 'space' ? 'free' : w;
    k = i + (w === 'free' && n(i + 1) === 'space' ? 2 : 1);
    if (n(k) === 'is' || n(k) === 'of') k++;
  } else if (isFieldWord(w) && ENTITY_WORDS[w] && (s.comparatorAt(i + 1) || n(i + 1) === 'between')) {
    fieldBefore = w;
    k = i + 1;
  }
  if (n(k) === 'between' && s.isNum(k + 1) && n(k + 2) === 'and' && s.isNum(k + 3)) {
    const tail = s.numberTail(k + 3)!;
    // "between 30 and 60 days old": a date range, read by the dates stage.
    if (tail.unit && TIME_UNITS_DAYS[tail.unit] !== undefined && !tail.fieldWord) return false;
    const unit2 = UNITS_MB[n(k + 2)] !== undefined ? n(k + 2) : tail.unit;
    s.push({
      t: 'num',
      fieldWord: fieldBefore ?? tail.fieldWord ?? s.lastFieldWord,
      op: 'between',
      value: s.num(k + 1)!,
      value2: tail.value,
      unit: unit2,
    });
    s.i = tail.next;
    return true;
  }
  const cmp = s.comparatorAt(k);
  if (cmp && s.isNum(k + cmp.len)) {
    const tail = s.numberTail(k + cmp.len)!;
    // "more than 90% full": less than 10% free.
    if (tail.unit === '%' && !tail.fieldWord && n(tail.next) === 'full') {
      const flip = { gt: 'lt', gte: 'lte', lt: 'gt', lte: 'gte', eq: 'eq', ne: 'ne' } as const;
      s.push({ t: 'num', fieldWord: 'free', op: flip[cmp.op], value: 100 - tail.value, unit: '%' });
      s.i = tail.next + 1;
      return true;
    }
    // "less than 30 days old": a date, read by the dates stage.
    if (tail.unit && TIME_UNITS_DAYS[tail.unit] !== undefined && !tail.fieldWord) return false;
    s.push({
      t: 'num',
      fieldWord: fieldBefore ?? tail.fieldWord,
      op: cmp.op,
      value: tail.value,
      unit: tail.unit,
      ...(!fieldBefore && tail.fieldWord && !tail.unit ? { counted: true } : {}),
    });
    s.i = tail.next;
    return true;
  }
  // "4 or more cpus", "2 or fewer".
  if (s.isNum(k) && n(k + 1) === 'or' && ORDER_WORDS[n(k + 2)]) {
    const t2 = s.numberTail(k);
    const fieldWord = fieldBefore ?? (isFieldWord(n(k + 3)) ? n(k + 3) : t2?.fieldWord);
    s.push({ t: 'num', fieldWord, op: ORDER_WORDS[n(k + 2)]!, value: s.num(k)!, unit: t2?.unit });
    s.i = isFieldWord(n(k + 3)) ? k + 4 : k + 3;
    return true;
  }
  if (fieldBefore && s.isNum(k)) {
    const tail = s.numberTail(k)!;
    s.push({ t: 'num', fieldWord: fieldBefore, op: 'eq', value: tail.value, unit: tail.unit });
    s.i = tail.next;
    return true;
  }
  if (s.isNum(i) && !SUPERLATIVES[n(i + 1)]) {
    const tail = s.numberTail(i)!;
    if (tail.fieldWord || tail.unit) {
      // "with 8 cpus", "16gb vms", "8 vcpu vms"; "8 cpus or more", "2gb or less".
      const orMore = n(tail.next) === 'or' ? ORDER_WORDS[n(tail.next + 1)] : undefined;
      s.push({
        t: 'num',
        fieldWord: tail.fieldWord,
        op: orMore ?? 'eq',
        value: tail.value,
        unit: tail.unit,
        ...(tail.fieldWord && !tail.unit ? { counted: true } : {}),
      });
      s.i = tail.next + (orMore ? 2 : 0);
      return true;
    }
  }
  return false;
}
