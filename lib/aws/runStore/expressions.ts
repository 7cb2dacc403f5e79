/**
 * DynamoDB update and condition expressions with every attribute name aliased: many names we use
 * (status, size, result, ttl...) are reserved words, and aliasing all of them is simpler than
 * remembering which.
 */

export interface UpdateSpec {
  set?: Record<string, unknown>;
  /** Set only if the attribute does not exist yet. */
  setIfMissing?: Record<string, unknown>;
  remove?: string[];
  add?: Record<string, unknown>;
}

export interface Expression {
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/**
 * Builds an update plus an optional condition. In conditions, write names as `#name` and values as
 * `:name`, passing the values in `conditionValues`.
 *
 * @example buildUpdate({ set: { status: 'RUNNING' } }, '#status = :from', { ':from': 'STARTING' })
 */
export const buildUpdate = (
  spec: UpdateSpec,
  condition?: string,
  conditionValues: Record<string, unknown> = {},
): Expression => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...conditionValues };
  const name = (n: string): string => {
    names[`#${n}`] = n;
    return `#${n}`;
  };
  let i = 0;
  const value = (v: unknown): string => {
    const key = `:u${i++}`;
    values[key] = v;
    return key;
  };
  const sets = [
    ...Object.entries(spec.set ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${name(k)} = ${value(v)}`),
    ...Object.entries(spec.setIfMissing ?? {})
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${name(k)} = if_not_exists(${name(k)}, ${value(v)})`),
  ];
  const removes = (spec.remove ?? []).map(name);
  const adds = Object.entries(spec.add ?? {}).map(([k, v]) => `${name(k)} ${value(v)}`);
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ].filter(Boolean);
  if (condition) for (const m of condition.matchAll(/#([A-Za-z0-9_]+)/g)) names[`#${m[1]}`] = m[1] as string;
  return {
    ...(clauses.length ? { UpdateExpression: clauses.join(' ') } : {}),
    ...(condition ? { ConditionExpression: condition } : {}),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
};

/** A condition alone (for Put/Delete). */
export const buildCondition = (condition: string, values: Record<string, unknown> = {}): Expression =>
  buildUpdate({}, condition, values);
