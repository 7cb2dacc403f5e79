/**
 * Which table access a DynamoDB document-client command is, in the terms of STORE_ACCESS and of
 * IAM: the action, and `QueryIndex` for a Query on an index. Any other command comes back under
 * its own name, so a test comparing it with a grant fails and names it.
 */
import type { TableAccess } from '../../lib/aws/runStore.ts';

const ACTIONS: Record<string, TableAccess> = {
  GetCommand: 'GetItem',
  BatchGetCommand: 'BatchGetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
};

export const tableAccessOf = (command: { constructor: { name: string }; input?: unknown }): string => {
  const name = command.constructor.name;
  const action = ACTIONS[name];
  if (!action) return name;
  return action === 'Query' && (command.input as { IndexName?: string } | undefined)?.IndexName ? 'QueryIndex' : action;
};

/** The table access a role's statements grant: dynamodb actions on the table ARN, Query on the index ARN. */
export const grantedTableAccess = (
  statements: { statement: { Action: string | string[]; Resource: unknown } }[],
): Set<string> => {
  const granted = new Set<string>();
  for (const { statement } of statements) {
    const actions = (Array.isArray(statement.Action) ? statement.Action : [statement.Action]).filter((a) =>
      a.startsWith('dynamodb:'),
    );
    const resources = JSON.stringify(statement.Resource);
    const onIndexes = resources.includes('/index/');
    const onTable = resources.includes('"RunsTable","Arn"');
    for (const a of actions) {
      const action = a.slice('dynamodb:'.length);
      if (onTable) granted.add(action);
      if (onIndexes && action === 'Query') granted.add('QueryIndex');
    }
  }
  return granted;
};
