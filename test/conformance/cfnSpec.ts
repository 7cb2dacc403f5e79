/**
 * A CloudFormation template held to CloudFormation's published resource specification, as the AWS
 * CDK team ships it (`@aws-cdk/aws-service-spec`, a database built from the CloudFormation registry
 * schemas and the resource specification): every resource type exists; every property is known,
 * present when required, of its type (string, integer, number, boolean, JSON, date-time, list, map,
 * union, nested type), within its allowed values where the spec lists them; every `Fn::GetAtt`
 * names an attribute the type has. The spec carries no patterns or lengths (see decisions.md):
 * physical-name limits are checked in `cfnGraph.ts` from AWS's documentation instead.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, Resource, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, { Type: string; Default?: Json; [k: string]: Json | undefined }>;
  Conditions?: Record<string, Json>;
  Mappings?: Record<string, Json>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: Json; Description?: string; Export?: Json; Condition?: string }>;
}
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Json;
  [k: string]: Json | undefined;
}

export interface SpecProblem {
  where: string;
  problem: string;
}
export interface SpecReport {
  problems: SpecProblem[];
  resources: number;
  /** Property values checked (every nested value counts once). */
  properties: number;
  /** Distinct resource types checked. */
  types: Set<string>;
  getAtts: number;
}

let cached: SpecDatabase | undefined;
/** The specification database (about half a second to load; loaded once per test file). */
export const specDatabase = (): SpecDatabase => {
  cached ??= loadAwsServiceSpecSync();
  return cached;
};

const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::Length',
  'Fn::ToJsonString',
]);

/** `{ "Fn::X": ... }` with exactly one intrinsic key. */
export const intrinsicOf = (v: Json): [string, Json] | undefined => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  if (keys.length !== 1 || !INTRINSICS.has(keys[0] as string)) return undefined;
  return [keys[0] as string, v[keys[0] as string] as Json];
};

/** What an intrinsic evaluates to, as far as the type check is concerned. */
const intrinsicKind = (name: string): 'string' | 'list' | 'any' =>
  name === 'Fn::Sub' || name === 'Fn::Join' || name === 'Fn::Base64'
    ? 'string'
    : name === 'Fn::Split' || name === 'Fn::GetAZs' || name === 'Fn::Cidr'
      ? 'list'
      : 'any';

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'UpdatePolicy',
  'CreationPolicy',
]);
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];

const describe = (t: PropertyType, db: SpecDatabase): string => {
  switch (t.type) {
    case 'array':
      return `list of ${describe(t.element, db)}`;
    case 'map':
      return `map of ${describe(t.element, db)}`;
    case 'union':
      return t.types.map((x) => describe(x, db)).join(' | ');
    case 'ref':
      return db.get('typeDefinition', t.reference).name;
    default:
      return t.type;
  }
};

class Checker {
  readonly problems: SpecProblem[] = [];
  properties = 0;
  getAtts = 0;
  constructor(
    private readonly db: SpecDatabase,
    private readonly template: Template,
  ) {}

  private fail(where: string, problem: string): void {
    this.problems.push({ where, problem });
  }

  /** Problems of a value against a type, without recording them (for unions). */
  private trial(where: string, value: Json, type: PropertyType): SpecProblem[] {
    const before = this.problems.length;
    const props = this.properties;
    this.value(where, value, type);
    const found = this.problems.splice(before);
    this.properties = props;
    return found;
  }

  value(where: string, value: Json, type: PropertyType): void {
    this.properties++;
    const intrinsic = intrinsicOf(value);
    if (intrinsic) {
      const [name, args] = intrinsic;
      if (name === 'Fn::If' && Array.isArray(args) && args.length === 3) {
        // Both branches must fit, unless a branch removes the property.
        for (const branch of [args[1], args[2]] as Json[]) {
          const noValue = intrinsicOf(branch);
          if (noValue?.[0] === 'Ref' && noValue[1] === 'AWS::NoValue') continue;
          this.value(`${where}(Fn::If)`, branch, type);
        }
        return;
      }
      const kind = intrinsicKind(name);
      if (kind === 'string' && !['string', 'json', 'date-time', 'union'].includes(type.type))
        this.fail(where, `${name} gives a string; the spec wants ${describe(type, this.db)}`);
      if (kind === 'list' && !['array', 'union', 'json'].includes(type.type))
        this.fail(where, `${name} gives a list; the spec wants ${describe(type, this.db)}`);
      return;
    }
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string') {
          this.fail(where, `expected a string, got ${JSON.stringify(value)}`);
          return;
        }
        if (type.allowedValues && !type.allowedValues.includes(value))
          this.fail(where, `'${value}' is not one of the allowed values ${type.allowedValues.join(', ')}`);
        return;
      case 'integer':
        if (!Number.isInteger(value)) this.fail(where, `expected an integer, got ${JSON.stringify(value)}`);
        else if (type.allowedValues && !type.allowedValues.includes(value as number))
          this.fail(where, `${value} is not one of the allowed values ${type.allowedValues.join(', ')}`);
        return;
      case 'number':
        if (typeof value !== 'number') this.fail(where, `expected a number, got ${JSON.stringify(value)}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.fail(where, `expected a boolean, got ${JSON.stringify(value)}`);
        return;
      case 'date-time':
        if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
          this.fail(where, `expected an ISO 8601 date-time, got ${JSON.stringify(value)}`);
        return;
      case 'json':
        if (value === null || typeof value !== 'object')
          this.fail(where, `expected a JSON object, got ${JSON.stringify(value)}`);
        return;
      case 'null':
        if (value !== null) this.fail(where, `expected null, got ${JSON.stringify(value)}`);
        return;
      case 'tag':
        this.object(where, value, {
          Key: { type: { type: 'string' }, required: true },
          Value: { type: { type: 'string' }, required: true },
        });
        return;
      case 'array':
        if (!Array.isArray(value)) {
          this.fail(where, `expected a list of ${describe(type.element, this.db)}, got ${JSON.stringify(value)}`);
          return;
        }
        value.forEach((v, i) => {
          this.value(`${where}[${i}]`, v, type.element);
        });
        return;
      case 'map':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          this.fail(where, `expected a map of ${describe(type.element, this.db)}, got ${JSON.stringify(value)}`);
          return;
        }
        for (const [k, v] of Object.entries(value)) this.value(`${where}.${k}`, v, type.element);
        return;
      case 'union': {
        const attempts = type.types.map((t) => this.trial(where, value, t));
        if (attempts.some((a) => a.length === 0)) {
          this.properties++;
          return;
        }
        const best = attempts.reduce((a, b) => (b.length < a.length ? b : a));
        this.problems.push(...best);
        return;
      }
      case 'ref': {
        const def: TypeDefinition = this.db.get('typeDefinition', type.reference);
        this.object(where, value, def.properties);
        return;
      }
      default:
        this.fail(where, `unhandled spec type ${JSON.stringify(type)}`);
    }
  }

  object(where: string, value: Json, props: Record<string, Pick<Property, 'type' | 'required' | 'deprecated'>>): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(where, `expected an object, got ${JSON.stringify(value)}`);
      return;
    }
    for (const [name, p] of Object.entries(props)) {
      if (p.required && !(name in value)) this.fail(where, `required property ${name} is missing`);
    }
    for (const [name, v] of Object.entries(value)) {
      const p = props[name];
      if (!p || p.deprecated === 'IGNORE') {
        this.fail(`${where}.${name}`, `unknown property (known: ${Object.keys(props).sort().join(', ')})`);
        continue;
      }
      this.value(`${where}.${name}`, v, p.type);
    }
  }

  resource(id: string, r: TemplateResource): Resource | undefined {
    for (const key of Object.keys(r)) if (!RESOURCE_KEYS.has(key)) this.fail(id, `unknown resource attribute ${key}`);
    for (const key of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const v = r[key];
      if (v !== undefined && !DELETION_POLICIES.includes(v)) this.fail(`${id}.${key}`, `'${v}' is not a policy`);
    }
    const spec = this.db.lookup('resource', 'cloudFormationType', 'equals', r.Type);
    if (spec.length !== 1) {
      this.fail(id, `resource type ${r.Type} does not exist in the CloudFormation specification`);
      return undefined;
    }
    const resource = spec[0] as Resource;
    this.object(`${id}(${r.Type})`, r.Properties ?? {}, resource.properties);
    return resource;
  }

  /** Every Fn::GetAtt in the template (resources and outputs) names an attribute of the target's type. */
  getAttributes(): void {
    const visit = (where: string, v: Json): void => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          visit(`${where}[${i}]`, x);
        });
        return;
      }
      if (v === null || typeof v !== 'object') return;
      const intrinsic = intrinsicOf(v);
      if (intrinsic?.[0] === 'Fn::GetAtt') {
        const args = intrinsic[1];
        const [target, attribute] = Array.isArray(args)
          ? (args as string[])
          : typeof args === 'string'
            ? [args.slice(0, args.indexOf('.')), args.slice(args.indexOf('.') + 1)]
            : [];
        this.getAtt(where, String(target), String(attribute));
      }
      if (intrinsic?.[0] === 'Fn::Sub') {
        const text = Array.isArray(intrinsic[1]) ? String(intrinsic[1][0]) : String(intrinsic[1]);
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1] as string;
          const dot = name.indexOf('.');
          if (dot > 0 && !name.startsWith('AWS::')) this.getAtt(where, name.slice(0, dot), name.slice(dot + 1));
        }
      }
      for (const [k, x] of Object.entries(v)) visit(`${where}.${k}`, x);
    };
    for (const [id, r] of Object.entries(this.template.Resources)) visit(id, (r.Properties ?? {}) as Json);
    for (const [id, o] of Object.entries(this.template.Outputs ?? {})) visit(`Outputs.${id}`, o.Value);
  }

  private getAtt(where: string, target: string, attribute: string): void {
    this.getAtts++;
    const r = this.template.Resources[target];
    if (!r) return; // dangling: reported by the graph check
    const spec = this.db.lookup('resource', 'cloudFormationType', 'equals', r.Type)[0] as Resource | undefined;
    if (spec && !(attribute in spec.attributes))
      this.fail(
        where,
        `Fn::GetAtt ${target}.${attribute}: ${r.Type} has no attribute ${attribute} (it has ${Object.keys(spec.attributes).join(', ')})`,
      );
  }
}

/** Checks every resource of a template against the specification. */
export const checkTemplateAgainstSpec = (template: Template, db: SpecDatabase = specDatabase()): SpecReport => {
  const checker = new Checker(db, template);
  const types = new Set<string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    checker.resource(id, r);
    types.add(r.Type);
  }
  checker.getAttributes();
  return {
    problems: checker.problems,
    resources: Object.keys(template.Resources).length,
    properties: checker.properties,
    types,
    getAtts: checker.getAtts,
  };
};
